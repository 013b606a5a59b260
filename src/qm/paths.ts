/** Where QM's files live on the host and inside the QM tree (containers/qm 1.0 + automotive-image-builder). */
export const QM = {
  dir: '/usr/lib/qm',
  rootfs: '/usr/lib/qm/rootfs',
  etc: '/etc/qm',
  var: '/var/qm',
  varTmp: '/var/qm/tmp',
  shareDir: '/usr/share/qm',
  quadletDir: '/usr/share/containers/systemd',
  quadlet: '/usr/share/containers/systemd/qm.container',
  /** qm-stage's drop-ins: /usr/share, so an admin's same-named /etc drop-in still overrides them. */
  dropinDir: '/usr/share/containers/systemd/qm.container.d',
  adminDropinDir: '/etc/containers/systemd/qm.container.d',
  /** the seccomp profile the qm rpm generates at install time, which qm.container names */
  seccompProfile: '/usr/share/qm/seccomp-no-rt.json',
  /** podman's own default profile (containers-common): realtime scheduling allowed */
  podmanSeccompProfile: '/usr/share/containers/seccomp.json',
  selinuxModule: '/usr/share/selinux/packages/qm.pp.bz2',
  selinuxInterface: '/usr/share/selinux/devel/include/services/qm.if',
  /** the host's service manager settings qm-stage adds */
  managerDropin: '/usr/lib/systemd/system.conf.d/10-qm-oom.conf',
  /**
   * what systemd-tmpfiles makes at every boot, before qm.service (systemd-tmpfiles-setup runs before
   * sysinit.target): bind-mount sources (/var/qm/tmp, the BlueChi socket directory, container.host_dirs)
   * and, in image mode, /var/qm
   */
  tmpfiles: '/usr/lib/tmpfiles.d/qm-stage.conf',
  /**
   * Image mode: QM's /var as shipped, read-only, copied to /var/qm at boot when that is missing or
   * empty. systemd's factory directory: a tmpfiles.d C line without a source copies from here too.
   */
  varSeed: '/usr/share/factory/var/qm',
} as const

/** Paths inside the QM tree (QM's own view; /etc and /var are /etc/qm and /var/qm on the host). */
export const IN_QM = {
  containersConf: '/etc/containers/containers.conf',
  nestedQuadletDir: '/etc/containers/systemd',
  selinuxContainerContexts: '/usr/share/containers/selinux/contexts',
  fileContexts: (policy: string) => `/etc/selinux/${policy}/contexts/files/file_contexts`,
  bluechiDropinDir: '/etc/bluechi/agent.conf.d',
  imageStore: '/usr/lib/containers/storage',
  subuid: '/etc/subuid',
  subgid: '/etc/subgid',
} as const
