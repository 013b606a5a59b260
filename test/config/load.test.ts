import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig, MAX_CONFIG_BYTES } from '../../src/config/load.ts'
import { config, errorLines, load, yaml } from '../_helpers/config.ts'

const Load = suite('loadConfig')

Load('no config and an empty file are both the upstream QM', () => {
  const none = loadConfig(undefined)
  assert.equal(none.errors, [])
  assert.equal(config(''), none.config)
  assert.equal(config('# only a comment\n'), none.config)
  assert.is(none.config!.oom_score_adjust, 500)
  assert.is(none.config!.containers_conf.oom_score_adj, 750)
  assert.is(none.config!.cpu_weight, 'idle')
  assert.is(none.config!.rootfs.module_platform_id, '$distro_module_id')
})

Load('reads YAML 1.1 like PyYAML-based tools: 0755 is octal, on is true', () => {
  const c = config(yaml`
    content:
      make_dirs:
        - path: /etc/radio
          mode: 0755
          parents: on
  `)
  assert.is(c.content.make_dirs[0]!.mode, 0o755)
  assert.is(c.content.make_dirs[0]!.parents, true)
})

Load('keeps y and n strings, as PyYAML does', () => {
  const c = config('nested:\n  - { name: n, image: y, pull: always }\n')
  assert.equal([c.nested[0]!.name, c.nested[0]!.image], ['n', 'y'])
})

Load('does not change the parsed input when filling defaults', () => {
  const a = config('cpu_weight: 30\n')
  const b = config('cpu_weight: 30\n')
  a.container.volumes.push('x')
  assert.equal(b.container.volumes, [])
})

Load('names file, line and column of a schema error at the value', () => {
  assert.equal(errorLines('memory_limit:\n  max: 2X\n'), [
    'qm.yaml:2:8 CONFIG_INVALID /memory_limit/max: must be a systemd memory size: infinity, bytes with an optional K, M, G or T suffix, or a percentage (4G, 512M, 50%)',
  ])
})

Load('points an unknown key at the key, with a suggestion', () => {
  const [line] = errorLines('memory_limit:\n  hihg: 1G\n')
  assert.is(line, 'qm.yaml:2:3 CONFIG_INVALID /memory_limit/hihg: unknown key hihg (did you mean high?)')
})

Load('explains malformed systemd values in words', () => {
  const lines = errorLines(yaml`
    cpu_weight: 0
    allowed_cpus: a-b
    tasks_max: lots
  `)
  assert.is(lines.length, 3)
  assert.match(lines[0]!, /^qm\.yaml:1:13 CONFIG_INVALID \/cpu_weight: must be idle or an integer from 1 to 10000/)
  assert.match(lines[1]!, /^qm\.yaml:2:15 CONFIG_INVALID \/allowed_cpus: must be a systemd CPU list/)
  assert.match(lines[2]!, /^qm\.yaml:3:12 CONFIG_INVALID \/tasks_max: must be a positive number, a percentage/)
})

Load('collects every error instead of stopping at the first', () => {
  const lines = errorLines('policy: Bad\nmode: flat\nio_weight: 0\n')
  assert.equal(lines.map((l) => l.split(' ')[0]), ['qm.yaml:1:9', 'qm.yaml:2:7', 'qm.yaml:3:12'])
})

Load('refuses a newline that would inject a key into a unit file', () => {
  const [line] = errorLines('bluechi:\n  agent:\n    LogLevel: "INFO\\nNodeName=evil"\n')
  assert.match(line!, /^qm\.yaml:3:15 CONFIG_INVALID \/bluechi\/agent\/LogLevel: must be a single line/)
})

Load('refuses duplicate keys with the yaml excerpt', () => {
  const [line] = errorLines('cpu_weight: 10\ncpu_weight: 20\n')
  assert.match(line!, /^qm\.yaml:2:1 YAML_SYNTAX \/: Map keys must be unique/)
  assert.match(line!, /\^/)
})

Load('refuses an alias bomb without expanding it', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')
  const [line] = errorLines(`${bomb}\n`)
  assert.match(line!, /YAML_SYNTAX \/: cannot be read: .*alias/i)
})

Load('refuses binary and non-UTF-8 input at the offending byte', () => {
  assert.equal(loadConfig(Buffer.from('policy: x\n\0\n'), 'qm.yaml').errors.map((e) => [e.code, e.where?.line, e.where?.col]), [['CONFIG_INVALID', 2, 1]])
  const latin1 = Buffer.concat([Buffer.from('node: ok\nnode2: '), Buffer.from([0xe9]), Buffer.from('\n')])
  const [e] = loadConfig(latin1, 'qm.yaml').errors
  assert.equal([e!.code, e!.where?.line, e!.where?.col], ['CONFIG_INVALID', 2, 8])
  assert.match(e!.message, /not UTF-8/)
})

Load('refuses an oversized file before parsing it', () => {
  const big = Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20)
  const [e] = loadConfig(big, 'qm.yaml').errors
  assert.match(e!.message, /at most 1048576 bytes/)
})

Load('a document that is not a map is one clear error', () => {
  assert.equal(errorLines('- a\n- b\n'), ['qm.yaml:1:1 CONFIG_INVALID /: must be an object'])
})

Load('gives the config only when there is no error', () => {
  const bad = load('cpu_weight: 0\n')
  assert.is(bad.config, undefined)
  assert.is(bad.errors.length, 1)
})

Load.run()
