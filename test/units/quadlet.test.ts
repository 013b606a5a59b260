import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { dropinDirNames, findQuadletFiles, quadletDirs, quadletSearchDirs, type ListDir } from '../../src/units/unit-dirs.ts'

/** A ListDir over a set of file paths; every parent of a file is a directory. */
function tree(...files: string[]): ListDir {
  const dirs = new Map<string, Set<string>>()
  for (const file of files) {
    const parts = file.split('/').filter(Boolean)
    for (let i = 0; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/')
      if (!dirs.has(dir)) dirs.set(dir, new Set())
      dirs.get(dir)!.add(parts[i]!)
    }
  }
  return (dir) => (dirs.has(dir) ? [...dirs.get(dir)!] : undefined)
}

const RUN = '/run/containers/systemd'
const ETC = '/etc/containers/systemd'
const USR = '/usr/share/containers/systemd'

const Find = suite('findQuadletFiles')

Find('the /etc copy of a unit shadows the /usr/share one; /run beats both', () => {
  assert.equal(findQuadletFiles('qm.container', tree(`${USR}/qm.container`, `${ETC}/qm.container`)), {
    unit: `${ETC}/qm.container`,
    shadowed: [`${USR}/qm.container`],
    dropins: [],
    overridden: [],
  })
  const r = findQuadletFiles('qm.container', tree(`${USR}/qm.container`, `${RUN}/qm.container`))
  assert.is(r.unit, `${RUN}/qm.container`)
  assert.is(findQuadletFiles('qm.container', tree(`${USR}/other.container`)).unit, undefined)
})

Find('drop-ins from all directories apply in file-name order; a same name in /etc hides /usr/share', () => {
  const r = findQuadletFiles('qm.container', tree(
    `${USR}/qm.container`,
    `${USR}/qm.container.d/10-automotive.conf`,
    `${USR}/qm.container.d/50-resources.conf`,
    `${ETC}/qm.container.d/50-resources.conf`,
    `${ETC}/qm.container.d/20-admin.conf`,
    `${ETC}/qm.container.d/README`,
  ))
  assert.equal(r.dropins, [
    `${USR}/qm.container.d/10-automotive.conf`,
    `${ETC}/qm.container.d/20-admin.conf`,
    `${ETC}/qm.container.d/50-resources.conf`,
  ])
  assert.equal(r.overridden, [`${USR}/qm.container.d/50-resources.conf`])
})

Find('type-wide container.d and dash-prefix dirs apply; the more specific dir wins a name clash', () => {
  const r = findQuadletFiles('qm-radio.container', tree(
    `${ETC}/qm-radio.container`,
    `${ETC}/container.d/10-all.conf`,
    `${ETC}/container.d/30-same.conf`,
    `${USR}/qm-.container.d/20-qm-family.conf`,
    `${USR}/qm-radio.container.d/30-same.conf`,
  ))
  assert.equal(r.dropins, [
    `${ETC}/container.d/10-all.conf`,
    `${USR}/qm-.container.d/20-qm-family.conf`,
    `${USR}/qm-radio.container.d/30-same.conf`,
  ])
  assert.equal(r.overridden, [`${ETC}/container.d/30-same.conf`])
})

Find('subdirectories are searched too, but not *.d trees or /etc/containers/systemd/users', () => {
  const list = tree(`${ETC}/apps/qm.container`, `${ETC}/users/0/qm.container`, `${ETC}/x.d/qm.container`)
  assert.equal(quadletSearchDirs(list), [RUN, ETC, `${ETC}/apps`, USR])
  assert.equal(findQuadletFiles('qm.container', list).unit, `${ETC}/apps/qm.container`)
})

Find('one finder for many units lists each directory once and finds what one search per unit finds', () => {
  const files = [`${ETC}/container.d/10-all.conf`, `${USR}/a-.container.d/20-a.conf`, `${RUN}/a-1.container`]
  for (let i = 0; i < 50; i++) files.push(`${USR}/a-${i}.container`, `${ETC}/apps/a-${i}.container.d/30-own.conf`)
  const plain = tree(...files)
  const listed = new Map<string, number>()
  const counted: ListDir = (dir) => (listed.set(dir, (listed.get(dir) ?? 0) + 1), plain(dir))
  const { find } = quadletDirs(counted)
  for (let i = 0; i < 50; i++) assert.equal(find(`a-${i}.container`), findQuadletFiles(`a-${i}.container`, plain))
  assert.equal(find('a-1.container').shadowed, [`${USR}/a-1.container`])
  // the walk, the drop-in directories and the files of each directory come from one listing: never again per unit
  assert.ok(listed.size > 5)
  for (const [dir, times] of listed) assert.is(times, 1, dir)
})

Find.run()

// ---

const Names = suite('dropinDirNames')

Names('most specific first, for plain, dashed, template and instance names', () => {
  assert.equal(dropinDirNames('qm.container'), ['qm.container.d', 'container.d'])
  assert.equal(dropinDirNames('a-b-c.container'), ['a-b-c.container.d', 'a-b-.container.d', 'a-.container.d', 'container.d'])
  assert.equal(dropinDirNames('web-app@blue.container'), [
    'web-app@blue.container.d',
    'web-app@.container.d',
    'web-@.container.d',
    'web-.container.d',
    'container.d',
  ])
})

Names.run()
