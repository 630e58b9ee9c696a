import assert from 'node:assert/strict'
import { it } from 'node:test'
import fc from 'fast-check'
import { normalizePath } from './path.ts'

const pathChar = fc.constantFrom(
  'a',
  'B',
  '/',
  '.',
  '%',
  '2',
  'e',
  'E',
  'f',
  'F',
  '\\',
  '?',
  '~',
  '-',
  '%2e',
  '%2F',
  '%5c',
  '%41',
)
const rawPath = fc.array(pathChar, { maxLength: 24 }).map((cs) => `/${cs.join('')}`)

it('normalisation is idempotent and leaves no dot segments (BASE and MERGE_SLASHES)', () => {
  for (const mode of ['BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'] as const) {
    fc.assert(
      fc.property(rawPath, (p) => {
        const once = normalizePath(p, mode)
        assert.equal(normalizePath(once, mode), once)
        assert.ok(once.startsWith('/'))
        assert.ok(!once.split('/').some((s) => s === '.' || s === '..'), once)
        assert.ok(!once.includes('?'))
      }),
      { numRuns: 300 },
    )
  }
})

it('examples', () => {
  assert.equal(normalizePath('/a/b/../../c'), '/c')
  assert.equal(normalizePath('/a/./b/.'), '/a/b/')
  assert.equal(normalizePath('/../../x'), '/x')
  assert.equal(normalizePath('/a%2fb%7E'), '/a%2Fb~')
  assert.equal(normalizePath('/a//b', 'MERGE_SLASHES'), '/a/b')
  assert.equal(normalizePath('/a/..%2f..%2fadmin', 'DECODE_AND_MERGE_SLASHES'), '/admin')
  assert.equal(normalizePath('/x/../y', 'NONE'), '/x/../y')
})
