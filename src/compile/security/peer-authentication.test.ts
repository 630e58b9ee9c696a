import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HAVE_SHARED, shared } from '../../../test/support/shared.ts'
import { loadPaths } from '../../api/load.ts'
import type { Resource } from '../../api/resource.ts'
import { effectivePeerAuthentication, resolvePeerAuthentication } from './peer-authentication.ts'
import { upstreamTlsFor } from './upstream-tls.ts'

function pa(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  created = '2024-01-01T00:00:00Z',
): Resource {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name, namespace, creationTimestamp: created },
    body: { spec },
  }
}
const app = { namespace: 'foo', labels: { app: 'reviews' } }

describe('effectivePeerAuthentication', () => {
  it('no policy anywhere ⇒ PERMISSIVE', () => {
    assert.equal(effectivePeerAuthentication([], app, 9080), 'PERMISSIVE')
  })

  it('workload > namespace > mesh', () => {
    const mesh = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } })
    const ns = pa('foo', 'default', { mtls: { mode: 'DISABLE' } })
    const wl = pa('foo', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'PERMISSIVE' },
    })
    assert.equal(effectivePeerAuthentication([mesh], app), 'STRICT')
    assert.equal(effectivePeerAuthentication([mesh, ns], app), 'DISABLE')
    assert.deepEqual(resolvePeerAuthentication([mesh, ns, wl], app), {
      mode: 'PERMISSIVE',
      level: 'workload',
      policy: { name: 'reviews', namespace: 'foo', kind: 'PeerAuthentication' },
    })
    assert.equal(
      effectivePeerAuthentication([mesh, ns, wl], { namespace: 'foo', labels: { app: 'x' } }),
      'DISABLE',
    )
    assert.equal(effectivePeerAuthentication([mesh, ns], { namespace: 'bar', labels: {} }), 'STRICT')
  })

  it('UNSET inherits; port-level modes apply to the target port and inherit when UNSET', () => {
    const ns = pa('foo', 'default', { mtls: { mode: 'STRICT' } })
    const wl = pa('foo', 'reviews', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'UNSET' },
      portLevelMtls: { 9080: { mode: 'DISABLE' }, 9090: { mode: 'UNSET' } },
    })
    assert.equal(effectivePeerAuthentication([ns, wl], app, 9080), 'DISABLE')
    assert.equal(effectivePeerAuthentication([ns, wl], app, 9090), 'STRICT')
    assert.equal(effectivePeerAuthentication([ns, wl], app), 'STRICT')
  })

  it('ignores selector policies in the root namespace; ties go to the oldest', () => {
    const rootSel = pa('istio-system', 'sel', {
      selector: { matchLabels: { app: 'reviews' } },
      mtls: { mode: 'DISABLE' },
    })
    assert.equal(effectivePeerAuthentication([rootSel], app), 'PERMISSIVE')
    const newer = pa('foo', 'a-newer', { mtls: { mode: 'DISABLE' } }, '2025-01-01T00:00:00Z')
    const older = pa('foo', 'z-older', { mtls: { mode: 'STRICT' } }, '2023-01-01T00:00:00Z')
    assert.equal(effectivePeerAuthentication([newer, older], app), 'STRICT')
  })

  it('legacy authentication.istio.io Policy counts as namespace-wide (mtls: {} ⇒ STRICT)', () => {
    const legacy = (peers: unknown): Resource => ({
      apiVersion: 'authentication.istio.io/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'default' },
      body: { spec: { peers } },
    })
    const opts = { defaultNamespace: 'foo' }
    assert.equal(effectivePeerAuthentication([legacy([{ mtls: {} }])], app, 1, opts), 'STRICT')
    assert.equal(effectivePeerAuthentication([legacy([{ mtls: null }])], app, 1, opts), 'STRICT')
    assert.equal(
      effectivePeerAuthentication([legacy([{ mtls: { mode: 'PERMISSIVE' } }])], app, 1, opts),
      'PERMISSIVE',
    )
    assert.equal(
      effectivePeerAuthentication([legacy([{ mtls: {} }])], { namespace: 'bar', labels: {} }, 1, opts),
      'PERMISSIVE',
    )
  })

  it('AKS voting step 7 ⇒ STRICT for namespace voting', { skip: !HAVE_SHARED }, async () => {
    const loaded = await loadPaths([
      shared('scenarios/aks-voting-app/istio/step-2-update-and-add-routing-for-all-components.yaml'),
    ])
    const opts = { defaultNamespace: 'voting' }
    for (const labels of [
      { app: 'voting-app', version: '1.0' },
      { app: 'voting-storage', version: '1.0' },
    ]) {
      assert.deepEqual(
        resolvePeerAuthentication(loaded.resources, { namespace: 'voting', labels }, 8080, opts),
        {
          mode: 'STRICT',
          level: 'namespace',
          policy: { name: 'default', namespace: 'voting', kind: 'Policy' },
        },
      )
    }
    assert.equal(
      effectivePeerAuthentication(loaded.resources, { namespace: 'default', labels: {} }, 8080, opts),
      'PERMISSIVE',
    )
  })
})

describe('upstreamTlsFor', () => {
  it('DestinationRule tls wins; auto mTLS only towards sidecars', () => {
    assert.equal(upstreamTlsFor(undefined, false), undefined)
    assert.deepEqual(upstreamTlsFor(undefined, true), { mode: 'ISTIO_MUTUAL' })
    assert.equal(upstreamTlsFor(undefined, true, false), undefined)
    assert.equal(upstreamTlsFor({ mode: 'DISABLE' }, true), undefined)
    assert.deepEqual(
      upstreamTlsFor({ mode: 'ISTIO_MUTUAL' }, false, true, {
        host: 'r.foo.svc.cluster.local',
        port: 9080,
        subset: 'v1',
      }),
      {
        mode: 'ISTIO_MUTUAL',
        sni: 'outbound_.9080_.v1_.r.foo.svc.cluster.local',
      },
    )
    const id = 'spiffe://cluster.local/ns/foo/sa/reviews'
    assert.deepEqual(upstreamTlsFor(undefined, true, true, { host: 'r', port: 1, identities: [id] }), {
      mode: 'ISTIO_MUTUAL',
      sni: 'outbound_.1_._.r',
      subjectAltNames: [id],
    })
    assert.deepEqual(
      upstreamTlsFor({ mode: 'SIMPLE', sni: 'x.example.com', caCertificates: '/etc/ca.pem' }, true),
      {
        mode: 'SIMPLE',
        sni: 'x.example.com',
        caCertificates: '/etc/ca.pem',
      },
    )
  })
})
