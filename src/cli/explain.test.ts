/** @module cli/explain.test — `weir explain` as a user runs it: a real process, real files. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'weir-explain-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const file = join(dir, 'mesh.yaml')
writeFileSync(
  file,
  `apiVersion: v1
kind: Service
metadata: {name: reviews}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2}
spec: {replicas: 2, template: {metadata: {labels: {app: reviews, version: v2}}}}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: reviews}
spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`,
)

function weir(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'explain', ...args], { encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('weir explain', () => {
  const caller = ['--source-namespace', 'default', '--source-labels', 'app=productpage']
  it('prints JSON with the rule, destinations and status', () => {
    const r = weir(
      '-f',
      file,
      '--url',
      'http://reviews:9080/',
      '-H',
      'end-user: jason',
      ...caller,
      '-o',
      'json',
    )
    assert.equal(r.code, 0, r.stderr)
    const j = JSON.parse(r.stdout)
    assert.equal(j.virtualService, 'reviews.default')
    assert.equal(j.rule, 0)
    assert.deepEqual(
      j.destinations.map((d: { cluster: string; weight: number }) => [d.cluster, d.weight]),
      [['outbound|9080|v2|reviews.default.svc.cluster.local', 100]],
    )
    assert.equal(j.status, null)
    assert.equal(j.policies.retries.attempts, 2)
  })
  it('explains in text why an earlier rule did not match and that v1 has no pods', () => {
    const r = weir('-f', file, '--url', 'http://reviews:9080/', ...caller)
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Not matched: +reviews\.default rule 0 match 0: header end-user absent/)
    assert.match(r.stdout, /VirtualService: +reviews\.default rule 1/)
    assert.match(r.stdout, /Result: +503 UH/)
  })
  it('usage errors exit 64; --from without a control plane says so', () => {
    assert.equal(weir('-f', file, '--url', 'http://reviews:9080/').code, 64)
    assert.equal(weir('-f', file, '--url', 'http://x/', '--gateway', '--source-labels', 'a=b').code, 64)
    assert.equal(weir('-f', file, '--url', 'http://x/', '--gateway', '-H', 'nocolon').code, 64)
    const live = weir('--from', 'productpage-v1-abc.default', '--url', 'http://reviews:9080/', '--state', dir)
    assert.equal(live.code, 1)
    assert.match(live.stderr, /no control plane: .*server\.json not found/)
  })
  it('unreadable input exits 65 naming the file', () => {
    const r = weir('-f', join(dir, 'missing.yaml'), '--url', 'http://x/', '--gateway')
    assert.equal(r.code, 65)
    assert.match(r.stderr, /missing\.yaml/)
  })
})
