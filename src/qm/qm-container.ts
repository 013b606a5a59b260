import type { UnitSection } from '../units/write.ts'
import { QM } from './paths.ts'

/**
 * qm.container as the qm rpm leaves it installed (containers/qm 1.0, after its %post
 * replaced Timezone=local with Environment=TZ for read-only hosts). host_files: plugin
 * writes it; with host_files: rpm it is the base the drop-ins apply to.
 */
export const UPSTREAM_QM_CONTAINER: readonly UnitSection[] = [
  { name: 'Install', entries: [['WantedBy', 'default.target']] },
  {
    name: 'Service',
    entries: [
      ['CPUWeight', 'idle'],
      ['Delegate', 'true'],
      ['IOWeight', '50'],
      ['ManagedOOMSwap', 'kill'],
      ['MemoryMax', 'infinity'],
      ['MemoryHigh', 'infinity'],
      ['MemorySwapMax', '0'],
      ['OOMScoreAdjust', '500'],
      ['Restart', 'always'],
      ['Slice', '-.slice'],
      ['Environment', `ROOTFS=${QM.rootfs}`],
      ['Environment', `RWETCFS=${QM.etc}`],
      ['Environment', `RWVARFS=${QM.var}`],
      ['LimitNOFILE', '65536'],
      ['TasksMax', '50%'],
    ],
  },
  {
    name: 'Container',
    entries: [
      ['AddCapability', 'all'],
      ['SecurityLabelNested', 'true'],
      ['SeccompProfile', QM.seccompProfile],
      ['PidsLimit', '-1'],
      ['DropCapability', 'sys_boot sys_resource'],
      ['AddDevice', '-/dev/kvm'],
      ['AddDevice', '-/dev/fuse'],
      ['ContainerName', 'qm'],
      ['Exec', '/sbin/init'],
      ['Network', 'private'],
      ['ReadOnly', 'true'],
      ['ReadOnlyTmpfs', 'true'],
      ['Rootfs', '${ROOTFS}'],
      ['Sysctl', 'fs.mqueue.queues_max=4'],
      ['SecurityLabelFileType', 'qm_file_t'],
      ['SecurityLabelLevel', 's0'],
      ['SecurityLabelType', 'qm_t'],
      // Timezone=local fails on a read-only /etc/localtime; pass the host's TZ instead
      ['Environment', 'TZ'],
      ['Volume', '${RWETCFS}:/etc'],
      ['Volume', '${RWVARFS}:/var'],
      ['Volume', '${RWVARFS}/tmp:/var/tmp'],
    ],
  },
]
