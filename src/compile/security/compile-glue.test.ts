import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseText } from '../../api/load.ts'
import { buildSnapshot } from '../../model/snapshot.ts'
import type { Cluster, Listener } from '../../proxyconfig/types.ts'
import { compileProxy } from '../compile-proxy.ts'
import { ingressGatewayNode, sidecarNodeFor } from '../node.ts'

const BASE = `
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {selector: {app: db}, ports: [{name: tcp-db, port: 5432}, {name: http-admin, port: 8080, targetPort: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: mixed}
spec: {selector: {app: mixed}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  labels: {app: db, security.istio.io/tlsMode: istio}
  annotations: {sidecar.istio.io/status: '{}'}
spec: {serviceAccountName: db-sa, containers: [{name: db, image: x}]}
status: {podIP: 127.0.10.3, phase: Running, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels: {app: web, security.istio.io/tlsMode: istio}
  annotations: {sidecar.istio.io/status: '{}'}
spec: {serviceAccountName: web-sa, containers: [{name: web, image: x}]}
status: {podIP: 127.0.10.4, phase: Running, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: mixed-a
  labels: {app: mixed, security.istio.io/tlsMode: istio}
  annotations: {sidecar.istio.io/status: '{}'}
spec: {serviceAccountName: mixed-sa, containers: [{name: m, image: x}]}
status: {podIP: 127.0.10.1, phase: Running, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: mixed-b, labels: {app: mixed}}
spec: {containers: [{name: m, image: x}]}
status: {podIP: 127.0.10.2, phase: Running, conditions: [{type: Ready, status: "True"}]}
`

function compileFor(extra: string, pod: 'db' | 'web' | 'gateway' = 'web') {
  const { resources, diagnostics } = parseText(`${BASE}---\n${extra}`, 'mesh.yaml')
  assert.deepEqual(diagnostics, [])
  const snap = buildSnapshot(resources, {
    namespace: 'default',
    namespaceLabels: { default: { 'istio-injection': 'enabled' } },
  })
  const w = snap.workloads.find((x) => x.labels.app === pod)
  const node = pod === 'gateway' ? ingressGatewayNode() : sidecarNodeFor(snap, w?.name ?? '', 'default')
  assert.ok(node, `node ${pod}`)
  return compileProxy(snap, node).config
}
const inbound = (ls: Listener[], port: number) =>
  ls.find((l) => l.direction === 'inbound' && l.port === port)?.tls
const clusterTls = (cs: Record<string, Cluster>, name: string) => cs[name]?.tls

describe('compileProxy security', () => {
  it('inbound tls from the effective PeerAuthentication, port level included (target port); DISABLE ⇒ plaintext', () => {
    const cfg = compileFor(
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  portLevelMtls: {"9090": {mode: DISABLE}}
`,
      'db',
    )
    assert.deepEqual(inbound(cfg.listeners, 5432), { mode: 'ISTIO_MUTUAL', peerAuthentication: 'STRICT' })
    assert.equal(inbound(cfg.listeners, 9090), undefined)
  })

  it('the legacy v1alpha1 Policy loaded with -n is STRICT for its namespace; no policy ⇒ PERMISSIVE', () => {
    const legacy = compileFor(`apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default}
spec: {peers: [{mtls: {}}]}
`)
    assert.deepEqual(inbound(legacy.listeners, 80), { mode: 'ISTIO_MUTUAL', peerAuthentication: 'STRICT' })
    const none = compileFor('apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n')
    assert.deepEqual(inbound(none.listeners, 80), { mode: 'ISTIO_MUTUAL', peerAuthentication: 'PERMISSIVE' })
  })

  it('cluster tls: auto mTLS with SNI and the server identities; AUTO for mixed endpoints; DR DISABLE / SIMPLE win', () => {
    const cfg = compileFor(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db}
spec:
  host: db
  trafficPolicy:
    tls: {mode: DISABLE}
    portLevelSettings: [{port: {number: 8080}, tls: {mode: SIMPLE, sni: db.example.com}}]
`)
    assert.deepEqual(clusterTls(cfg.clusters, 'outbound|80||web.default.svc.cluster.local'), {
      mode: 'ISTIO_MUTUAL',
      sni: 'outbound_.80_._.web.default.svc.cluster.local',
      subjectAltNames: ['spiffe://cluster.local/ns/default/sa/web-sa'],
    })
    assert.deepEqual(clusterTls(cfg.clusters, 'outbound|80||mixed.default.svc.cluster.local'), {
      mode: 'AUTO',
    })
    assert.equal(clusterTls(cfg.clusters, 'outbound|5432||db.default.svc.cluster.local'), undefined)
    assert.deepEqual(clusterTls(cfg.clusters, 'outbound|8080||db.default.svc.cluster.local'), {
      mode: 'SIMPLE',
      sni: 'db.example.com',
    })
  })

  it('config.authz holds the AuthorizationPolicies selecting the workload (and the gateway), absent otherwise', () => {
    const policies = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: db-allow}
spec:
  selector: {matchLabels: {app: db}}
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/web-sa]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: gw-deny, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {paths: [/admin*]}}]}]
`
    const db = compileFor(policies, 'db')
    assert.deepEqual(
      db.authz?.allow.map((p) => p.name),
      ['db-allow'],
    )
    assert.equal(compileFor(policies, 'web').authz, undefined)
    const gw = compileFor(policies, 'gateway')
    assert.deepEqual(
      gw.authz?.deny.map((p) => `${p.namespace}/${p.name}`),
      ['istio-system/gw-deny'],
    )
  })
})
