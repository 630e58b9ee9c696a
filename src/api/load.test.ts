import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { shared } from '../../test/support/shared.ts'
import { loadPaths, parseText } from './load.ts'

describe('parseText', () => {
  it('reads several documents, comments, CRLF, a trailing --- and no final newline', () => {
    const text =
      '# comment\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n---\r\n---\r\n' +
      'apiVersion: networking.istio.io/v1alpha3\r\nkind: VirtualService\r\nmetadata:\r\n  name: vs\r\n' +
      'spec:\r\n  hosts: ["x"]\r\n---'
    const r = parseText(text, 'f.yaml')
    assert.deepEqual(r.diagnostics, [])
    assert.deepEqual(
      r.resources.map((x) => [x.kind, x.metadata.name, x.origin?.line]),
      [
        ['Namespace', 'a', 2],
        ['VirtualService', 'vs', 8],
      ],
    )
  })

  it('gives the line of a field path', () => {
    const text =
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs\nspec:\n  http:\n  - route:\n    - destination:\n        host: a\n      weight: -1\n'
    const r = parseText(text, 'f.yaml')
    const at = r.resources[0]?.origin?.at
    assert.ok(at)
    assert.equal(at(['spec', 'http', 0, 'route', 0, 'weight']).line, 10)
    // A missing field falls back to its nearest parent.
    assert.equal(at(['spec', 'http', 0, 'timeout']).line, 7)
  })

  it('reports an unknown kind with file, line and the known kinds', () => {
    const r = parseText('apiVersion: v1\nkind: Nope\nmetadata:\n  name: x\n', 'bad.yaml')
    assert.equal(r.resources.length, 0)
    assert.equal(r.diagnostics.length, 1)
    const d = r.diagnostics[0]
    assert.equal(d?.source?.file, 'bad.yaml')
    assert.equal(d?.source?.line, 2)
    assert.match(d?.message ?? '', /unknown kind "Nope".*VirtualService/)
  })

  it('reports YAML that does not parse, with its line, and marks the input unreadable', () => {
    const r = parseText('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n   bad: indent\n', 'x.yaml')
    assert.equal(r.unreadable, true)
    assert.equal(r.diagnostics.length, 1)
    assert.equal(r.diagnostics[0]?.source?.line, 5)
  })

  it('expands a List into its items', () => {
    const r = parseText(
      '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}]}',
      'l.json',
    )
    assert.deepEqual(
      r.resources.map((x) => x.metadata.name),
      ['n'],
    )
  })
})

describe('loadPaths', () => {
  it('walks directories recursively, reading only yaml, yml and json files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-load-'))
    await writeFile(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n')
    await writeFile(join(dir, 'b.txt'), 'not yaml: [')
    const r = await loadPaths([dir, join(dir, 'missing.yaml')])
    assert.deepEqual(
      r.resources.map((x) => x.metadata.name),
      ['a'],
    )
    assert.equal(r.unreadable, true)
    assert.match(r.diagnostics[0]?.message ?? '', /cannot read .*missing\.yaml/)
  })

  it('loads every tutorial folder without an error', async () => {
    const r = await loadPaths([shared('scenarios')])
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'Error'),
      [],
    )
    assert.ok(r.resources.length > 150)
  })
})
