/** @module model/snapshot.test — what buildSnapshot makes of Kubernetes and Istio objects. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseText } from '../api/load.ts'
import { parseDurationMs } from './duration.ts'
import { kubePortProtocol } from './protocol.ts'
import { buildSnapshot, buildSnapshotWithDiagnostics } from './snapshot.ts'

function snap(yaml: string, opts = {}) {
  const r = parseText(yaml, 'test.yaml')
  assert.deepEqual(r.diagnostics, [])
  return buildSnapshot(r.resources, opts)
}

describe('ports and protocols', () => {
  it('follows appProtocol, then the name prefix, then well-known TCP ports', () => {
    assert.equal(kubePortProtocol({ number: 80, name: 'http-web' }), 'http')
    assert.equal(kubePortProtocol({ number: 6379, name: 'redis' }), 'tcp')
    assert.equal(kubePortProtocol({ number: 3306, name: 'mysql' }), 'tcp')
    assert.equal(kubePortProtocol({ number: 8080, name: 'grpc-web' }), 'grpc')
    assert.equal(kubePortProtocol({ number: 8080, name: 'web', appProtocol: 'http2' }), 'http2')
    assert.equal(kubePortProtocol({ number: 8080, name: 'tcp', appProtocol: 'http' }), 'http')
    assert.equal(kubePortProtocol({ number: 8080 }), 'auto')
    assert.equal(kubePortProtocol({ number: 3306 }), 'tcp')
    assert.equal(kubePortProtocol({ number: 53, name: 'dns' }), 'tcp')
    assert.equal(kubePortProtocol({ number: 53, protocol: 'UDP' }), 'udp')
  })
  it('parses durations', () => {
    assert.equal(parseDurationMs('0.5s'), 500)
    assert.equal(parseDurationMs('1m30s'), 90_000)
    assert.equal(parseDurationMs('250ms'), 250)
    assert.equal(parseDurationMs('1h'), 3_600_000)
    assert.equal(parseDurationMs('3'), undefined)
    assert.equal(parseDurationMs('s'), undefined)
    assert.equal(parseDurationMs(2), 2000)
  })
})

describe('buildSnapshot', () => {
  const yaml = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v1, namespace: shop}
spec: {replicas: 2, template: {metadata: {labels: {app: web, version: "1.0"}}, spec: {serviceAccountName: web}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: plain}
spec: {template: {metadata: {labels: {app: plain}}}}
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: b, namespace: shop}
spec: {hosts: [web]}
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: a, namespace: shop, creationTimestamp: "2020-01-01T00:00:00Z"}
spec: {hosts: [web]}
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: shop}
spec: {peers: [{mtls: {}}]}
`
  it('stands Deployment replicas in for pods when there are none, with sidecars per namespace label', () => {
    const s = snap(yaml)
    const web = s.workloads.filter((w) => w.workload === 'web-v1')
    assert.equal(web.length, 2)
    assert.match(web[0]?.name ?? '', /^web-v1-[a-z0-9]{10}-[a-z0-9]{5}$/)
    assert.notEqual(web[0]?.name, web[1]?.name)
    assert.equal(web[0]?.sidecar, true)
    assert.equal(web[0]?.serviceAccount, 'web')
    assert.equal(web[0]?.labels.version, '1.0')
    const plain = s.workloads.find((w) => w.workload === 'plain')
    assert.equal(plain?.sidecar, false)
    assert.equal(plain?.namespace, 'default')
    assert.equal(new Set(s.workloads.map((w) => w.address)).size, s.workloads.length)
    assert.deepEqual(snap(yaml).workloads, s.workloads, 'deterministic names and addresses')
  })
  it('orders config oldest first: timestamps, then load order', () => {
    assert.deepEqual(
      snap(yaml).virtualServices.map((v) => v.key),
      ['a.shop', 'b.shop'],
    )
  })
  it('translates the legacy Policy into a namespace-wide STRICT PeerAuthentication', () => {
    const pa = snap(yaml).peerAuthentications
    assert.equal(pa.length, 1)
    assert.deepEqual(pa[0]?.spec, { mtls: { mode: 'STRICT' } })
  })
  it('is frozen', () => {
    const s = snap(yaml)
    assert.throws(() => {
      ;(s.services as unknown[]).push(1)
    })
    assert.throws(() => {
      ;(s.services[0] as { host: string }).host = 'x'
    })
  })
  it('a later object with the same name replaces an earlier one (kubectl apply)', () => {
    const s = snap(`${yaml}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: tcp, port: 9000}]}
`)
    assert.equal(s.services.length, 1)
    assert.deepEqual(
      s.services[0]?.ports.map((p) => [p.port, p.protocol]),
      [[9000, 'tcp']],
    )
  })
  it('reads mesh config from ConfigMap istio-system/istio and reports a broken one', () => {
    const mesh = (text: string) =>
      buildSnapshotWithDiagnostics(
        parseText(
          `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: ${JSON.stringify(text)}\n`,
          'cm.yaml',
        ).resources,
      )
    const ok = mesh(
      'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\ntrustDomain: example.org\nconnectTimeout: 2s\n',
    )
    assert.equal(ok.snapshot.mesh.outboundTrafficPolicy, 'REGISTRY_ONLY')
    assert.equal(ok.snapshot.mesh.trustDomain, 'example.org')
    assert.equal(ok.snapshot.mesh.connectTimeoutMs, 2000)
    const bad = mesh('outboundTrafficPolicy: [\n')
    assert.equal(bad.snapshot.mesh.outboundTrafficPolicy, 'ALLOW_ANY')
    assert.equal(bad.diagnostics[0]?.path, 'data.mesh')
    assert.equal(bad.diagnostics[0]?.source?.file, 'cm.yaml')
  })
  it('ServiceEntry hosts become services with their resolution and location', () => {
    const s = snap(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec: {hosts: ["*.wikipedia.org", en.wiki.org], ports: [{number: 443, name: tls, protocol: TLS}]}
`)
    assert.deepEqual(
      s.services.map((x) => [x.host, x.resolution, x.location, x.ports[0]?.protocol]),
      [
        ['*.wikipedia.org', 'NONE', 'MESH_EXTERNAL', 'tls'],
        ['en.wiki.org', 'NONE', 'MESH_EXTERNAL', 'tls'],
      ],
    )
  })
})
