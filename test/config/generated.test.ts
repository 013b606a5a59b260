import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { GENERATED, validatorSource } from '../../scripts/gen-validator.ts'

const Generated = suite('validator.generated.ts')

Generated('is the schema compiled now (npm test and npm run build regenerate it)', () => {
  assert.ok(readFileSync(GENERATED, 'utf8') === validatorSource())
})

Generated.run()
