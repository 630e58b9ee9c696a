import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { analyze } from './analyze.ts'
import { goFormat } from './gofmt.ts'
import { hostsMatch, toFQDN } from './hosts.ts'
import { render } from './output.ts'
import { formatMessage } from './run.ts'

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-analyze-unit-'))
  const f = join(dir, 'in.yaml')
  await writeFile(f, text)
  return f
}

describe('goFormat', () => {
  it('fills %s %v %q %d as Go prints them, lists as [a b]', () => {
    assert.equal(
      goFormat('Referenced %s not found: %q', ['host', 'a"b']),
      'Referenced host not found: "a\\"b"',
    )
    assert.equal(goFormat('ports %v, port %d', [[80, 443], 8080]), 'ports [80 443], port 8080')
  })
})

describe('hosts', () => {
  it('resolves short names in the namespace of the rule and matches wildcards as Istio does', () => {
    assert.equal(toFQDN('voting', 'reviews'), 'reviews.voting.svc.cluster.local')
    assert.equal(toFQDN('voting', 'reviews.default'), 'reviews.default')
    assert.ok(hostsMatch('*.foo.com', 'a.b.foo.com'))
    assert.ok(!hostsMatch('*.foo.com', 'foo.com'))
    assert.ok(hostsMatch('*', 'anything'))
    assert.ok(hostsMatch('*.com', '*.foo.com'))
  })
})

describe('analyze', () => {
  it('finds a rule after a catch-all (IST0130) and a repeated match (IST0131) at their lines', async () => {
    const f = await file(
      [
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata:',
        '  name: r',
        'spec:',
        '  hosts: [r]',
        '  http:',
        '  - match:',
        '    - uri: {prefix: /a}',
        '    route: [{destination: {host: r}}]',
        '  - match:',
        '    - uri: {prefix: /a}',
        '    - uri: {prefix: /b}',
        '    route: [{destination: {host: r}}]',
        '  - route: [{destination: {host: r}}]',
        '  - name: late',
        '    route: [{destination: {host: r}}]',
        '',
      ].join('\n'),
    )
    const r = await analyze({ paths: [f] })
    assert.deepEqual(r.messages.map(formatMessage), [
      `Warning [IST0130] (VirtualService r.default ${f}:16) VirtualService rule "late" not used (only the last rule can have no matches).`,
      `Info [IST0131] (VirtualService r.default ${f}:12) VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0).`,
    ])
  })

  it('gives objects without a namespace the -n namespace and reports only on it', async () => {
    const f = await file(
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: other\nspec:\n  ports:\n  - {name: web, port: 81}\n',
    )
    assert.equal((await analyze({ paths: [f] })).messages.length, 0)
    const all = await analyze({ paths: [f], allNamespaces: true })
    assert.deepEqual(
      all.messages.map((m) => m.code),
      ['IST0118'],
    )
    assert.equal(
      all.messages[0]?.text,
      "Port name web (port: 81, targetPort: 81) doesn't follow the naming convention of Istio port.",
    )
  })

  it('renders JSON with istioctl’s keys, and loader problems without an origin', async () => {
    const f = await file('apiVersion: v1\nkind: Nope\nmetadata:\n  name: x\n')
    const r = await analyze({ paths: [f] })
    const list = JSON.parse(render(r.messages, 'json')) as Record<string, string>[]
    assert.equal(list.length, 1)
    assert.equal(list[0]?.code, 'WEIR0003')
    assert.equal(list[0]?.reference, `${f}:2`)
    assert.equal(list[0]?.origin, undefined)
  })
})
