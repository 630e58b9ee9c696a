/** @module compile/explain.test — each outcome the tutorials claim, checked by simulation over compiled config. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HAVE_SHARED } from '../../test/support/shared.ts'
import { parseText } from '../api/load.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import { compileProxy } from './compile-proxy.ts'
import { type ExplainRequest, explainRequest } from './explain.ts'
import { explain } from './explain-snapshot.ts'
import { loadCase, resolveNode } from './golden-support.ts'
import { type ProxyNode, syntheticSidecar } from './node.ts'

async function explainCase(name: string, req: ExplainRequest, node?: ProxyNode) {
  const c = await loadCase(name)
  return explainRequest(compileProxy(c.snapshot, node ?? c.node).config, req)
}

function clusters(e: { destinations: { cluster: string; weight: number }[] }): [string, number][] {
  return e.destinations.map((d) => [d.cluster, d.weight])
}

const VOTING_APP = (s: string) => `outbound|8080|${s}|voting-app.voting.svc.cluster.local`
const skip = !HAVE_SHARED && 'shared/ not present'

describe('AKS voting app', { skip }, () => {
  it('step 4: the gateway sends every path to voting-app:8080', async () => {
    const e = await explainCase('aks-step4-gateway', { url: 'http://20.1.2.3/any/path' })
    assert.equal(e.virtualService, 'voting-app.voting')
    assert.deepEqual(clusters(e), [[VOTING_APP(''), 100]])
    assert.equal(e.status, null)
    assert.equal(e.destinations[0]?.endpoints.length, 3)
  })
  it('step 7: only analytics 1.1 serves voting-app 1.0', async () => {
    const e = await explainCase('aks-step7-app-1.0', { url: 'http://voting-analytics:8080/analytics' })
    assert.deepEqual(clusters(e), [['outbound|8080|v1-1|voting-analytics.voting.svc.cluster.local', 100]])
    assert.equal(e.destinations[0]?.endpoints[0]?.pod?.startsWith('voting-analytics-1-1-'), true)
  })
  it('step 10: the featureflag cookie selects v2-0, other cookies v1-0 (regex is a full match)', async () => {
    for (const cookie of [
      'featureflag=on',
      'a=b; featureflag=on',
      'a=b;featureflag=on',
      'featureflag=on; x=y',
    ]) {
      const e = await explainCase('aks-step10-gateway', { url: 'http://20.1.2.3/', headers: { cookie } })
      assert.deepEqual(clusters(e), [[VOTING_APP('v2-0'), 100]], cookie)
      assert.equal(e.rule, 0)
    }
    for (const cookie of [undefined, 'featureflag=off', 'xfeatureflag=on', 'a=b']) {
      const e = await explainCase('aks-step10-gateway', {
        url: 'http://20.1.2.3/',
        ...(cookie ? { headers: { cookie } } : {}),
      })
      assert.deepEqual(clusters(e), [[VOTING_APP('v1-0'), 100]], String(cookie))
      assert.equal(e.rule, 1)
      assert.match(e.skipped[0]?.reasons[0] ?? '', /header cookie/)
    }
  })
  it('step 9 (before step 10): the cookie user gets 503 UH, subset v2-0 has no pods', async () => {
    const e = await explainCase('aks-step9-gateway', {
      url: 'http://20.1.2.3/',
      headers: { cookie: 'featureflag=on' },
    })
    assert.deepEqual([e.status, e.flags], [503, 'UH'])
  })
  it('step 10: voting-analytics by caller version; other callers 404 NR', async () => {
    const v1 = await explainCase('aks-step10-app-1.0', { url: 'http://voting-analytics:8080/analytics' })
    assert.deepEqual(clusters(v1), [['outbound|8080|v1-1|voting-analytics.voting.svc.cluster.local', 100]])
    const v2 = await explainCase('aks-step10-app-2.0', { url: 'http://voting-analytics:8080/analytics' })
    assert.deepEqual(clusters(v2), [['outbound|8080|v2-0|voting-analytics.voting.svc.cluster.local', 100]])
    const other = await explainCase(
      'aks-step10-app-1.0',
      { url: 'http://voting-analytics:8080/analytics' },
      syntheticSidecar('voting', { app: 'other' }),
    )
    assert.deepEqual([other.status, other.flags], [404, 'NR'])
  })
  it('step 10: voting-storage TCP routes by sourceLabels, and fall through otherwise', async () => {
    const storage = (port: number, subset: string) =>
      `outbound|${port}|${subset}|voting-storage.voting.svc.cluster.local`
    const app1 = await explainCase('aks-step10-app-1.0', { url: 'tcp://voting-storage:6379' })
    assert.deepEqual(clusters(app1), [[storage(6379, 'v1-0'), 100]])
    assert.equal(app1.destinations[0]?.endpoints[0]?.port, 6379)
    const app2 = await explainCase('aks-step10-app-2.0', { url: 'tcp://voting-storage:3306' })
    assert.deepEqual(clusters(app2), [[storage(3306, 'v2-0'), 100]])
    const an11 = await explainCase('aks-step7-analytics-1.1', { url: 'tcp://voting-storage:6379' })
    assert.deepEqual(clusters(an11), [[storage(6379, 'v1-0'), 100]])
    const other = await explainCase(
      'aks-step10-app-1.0',
      { url: 'tcp://voting-storage:6379' },
      syntheticSidecar('voting', { app: 'other' }),
    )
    assert.equal(other.virtualService, null)
    assert.deepEqual(clusters(other), [[storage(6379, ''), 100]])
  })
})

describe('bookinfo', { skip }, () => {
  it('the gateway routes /productpage and 404s elsewhere', async () => {
    const ok = await explainCase('bookinfo-gateway', { url: 'http://gw:8080/productpage' })
    assert.deepEqual(clusters(ok), [['outbound|9080||productpage.default.svc.cluster.local', 100]])
    const nr = await explainCase('bookinfo-gateway', { url: 'http://gw:8080/nothing' })
    assert.deepEqual([nr.status, nr.flags], [404, 'NR'])
    const none = await explainCase('bookinfo-gateway', { url: 'http://gw:80/productpage' })
    assert.equal(none.listener, null)
  })
  it('without rules reviews balances over every version with the default retry policy', async () => {
    const e = await explainCase('bookinfo-no-rules', { url: 'http://reviews:9080/reviews/0' })
    assert.deepEqual(clusters(e), [['outbound|9080||reviews.default.svc.cluster.local', 100]])
    assert.equal(e.destinations[0]?.endpoints.length, 3)
    assert.deepEqual(e.policies.retries?.retriableStatusCodes, [])
    assert.equal(e.policies.retries?.attempts, 2)
    assert.equal(e.policies.timeoutMs, undefined)
  })
  it('end-user jason goes to reviews v2, others to v1', async () => {
    const jason = await explainCase('bookinfo-test-v2', {
      url: 'http://reviews:9080/',
      headers: { 'end-user': 'jason' },
    })
    assert.deepEqual(clusters(jason), [['outbound|9080|v2|reviews.default.svc.cluster.local', 100]])
    const anon = await explainCase('bookinfo-test-v2', {
      url: 'http://reviews:9080/',
      headers: { 'end-user': 'Jason' },
    })
    assert.deepEqual(clusters(anon), [['outbound|9080|v1|reviews.default.svc.cluster.local', 100]])
    assert.deepEqual(anon.skipped[0]?.reasons, ['header end-user "Jason" does not match exact "jason"'])
  })
  it('weights: 90/10, 80/20, 50/50, single destination 100', async () => {
    const r = (s: string) => `outbound|9080|${s}|reviews.default.svc.cluster.local`
    assert.deepEqual(clusters(await explainCase('bookinfo-90-10', { url: 'http://reviews:9080/' })), [
      [r('v1'), 90],
      [r('v2'), 10],
    ])
    assert.deepEqual(clusters(await explainCase('bookinfo-80-20', { url: 'http://reviews:9080/' })), [
      [r('v1'), 80],
      [r('v2'), 20],
    ])
    assert.deepEqual(clusters(await explainCase('bookinfo-50-v3', { url: 'http://reviews:9080/' })), [
      [r('v1'), 50],
      [r('v3'), 50],
    ])
    assert.deepEqual(clusters(await explainCase('bookinfo-v3', { url: 'http://reviews:9080/' })), [
      [r('v3'), 100],
    ])
  })
  it('fault injection: jason gets a 7 s delay / a 500 abort on ratings, others none', async () => {
    const delay = await explainCase('bookinfo-fault-delay', {
      url: 'http://ratings:9080/',
      headers: { 'end-user': 'jason' },
    })
    assert.deepEqual(delay.policies.fault, { delay: { fixedDelayMs: 7000, percentage: 100 } })
    const other = await explainCase('bookinfo-fault-delay', { url: 'http://ratings:9080/' })
    assert.equal(other.policies.fault, undefined)
    const abort = await explainCase('bookinfo-fault-abort', {
      url: 'http://ratings:9080/',
      headers: { 'end-user': 'jason' },
    })
    assert.deepEqual(abort.policies.fault, { abort: { httpStatus: 500, percentage: 100 } })
    const details = await explainCase('bookinfo-fault-details', { url: 'http://details:9080/details/0' })
    assert.deepEqual(details.policies.fault, { abort: { httpStatus: 555, percentage: 100 } })
  })
  it('timeouts: reviews 0.5 s, ratings delayed 2 s via the deprecated integer percent', async () => {
    const reviews = await explainCase('bookinfo-timeout', { url: 'http://reviews:9080/' })
    assert.equal(reviews.policies.timeoutMs, 500)
    assert.deepEqual(clusters(reviews), [['outbound|9080|v2|reviews.default.svc.cluster.local', 100]])
    const ratings = await explainCase('bookinfo-timeout', { url: 'http://ratings:9080/' })
    assert.deepEqual(ratings.policies.fault, { delay: { fixedDelayMs: 2000, percentage: 100 } })
  })
})

describe('tkubica demo', { skip }, () => {
  const client = 'http://retry-service/?failRate=50'
  it('retries: 15 attempts, 1 s per try, 15 s timeout; no retry on 503 without retryOn', async () => {
    const e = await explainCase('tk-retry', { url: client })
    assert.equal(e.policies.timeoutMs, 15_000)
    assert.equal(e.policies.retries?.attempts, 15)
    assert.equal(e.policies.retries?.perTryTimeoutMs, 1000)
    assert.equal(e.policies.retries?.retryOn.includes('5xx'), false)
    const v2020 = await explainCase('tk-retry-2020', { url: client })
    assert.deepEqual(v2020.policies.retries?.retryOn, ['gateway-error', 'reset', '5xx'])
  })
  it('mirror: every request copied to sniffer; the retry policy is back to the default', async () => {
    const e = await explainCase('tk-mirror', { url: client })
    assert.deepEqual(e.policies.mirrors, [
      { cluster: 'outbound|80||sniffer.default.svc.cluster.local', percentage: 100 },
    ])
    assert.equal(e.policies.retries?.attempts, 2)
  })
  it('canary 90/10 and cookie canary', async () => {
    const m = (s: string) => `outbound|80|${s}|myweb-service.default.svc.cluster.local`
    assert.deepEqual(clusters(await explainCase('tk-canary10', { url: 'http://myweb-service/' })), [
      [m('v1'), 90],
      [m('v2'), 10],
    ])
    const tester = await explainCase('tk-cookie', {
      url: 'http://myweb-service/',
      headers: { cookie: 'usertype=tester' },
    })
    assert.deepEqual(clusters(tester), [[m('v2'), 100]])
    const plain = await explainCase('tk-cookie', { url: 'http://myweb-service/' })
    assert.deepEqual(clusters(plain), [[m('v1'), 100]])
  })
  it('ALLOW_ANY passes httpbin.org through; REGISTRY_ONLY answers 502; a ServiceEntry makes it routable', async () => {
    const allow = await explainCase('tk-no-rules', { url: 'http://httpbin.org/ip' })
    assert.deepEqual([allow.virtualHost, allow.status], ['allow_any', null])
    assert.deepEqual(clusters(allow), [['PassthroughCluster', 100]])
    const blocked = await explainCase('tk-registry-only', { url: 'http://httpbin.org/ip' })
    assert.deepEqual(
      [blocked.virtualHost, blocked.status, blocked.flags],
      ['block_all', 502, 'REGISTRY_ONLY'],
    )
    const known = await explainCase('tk-service-entry', { url: 'http://httpbin.org/ip' })
    assert.equal(known.status, null)
    assert.deepEqual(clusters(known), [['outbound|80||httpbin.org', 100]])
  })
  it('gateway routes by Host header; any other Host gets 404', async () => {
    const ok = await explainCase('tk-gateway', {
      url: 'http://20.0.0.1/',
      headers: { Host: 'myweb-service.domain.com' },
    })
    assert.deepEqual(clusters(ok), [['outbound|80||myweb-service.default.svc.cluster.local', 100]])
    const nr = await explainCase('tk-gateway', {
      url: 'http://20.0.0.1/',
      headers: { Host: 'other.domain.com' },
    })
    assert.deepEqual([nr.status, nr.flags], [404, 'NR'])
  })
  it('load balancing: consistent hash on the User header', async () => {
    const e = await explainCase('tk-lb-header-hash', {
      url: 'http://myweb-service/',
      headers: { user: 'tomas' },
    })
    assert.deepEqual(e.policies.hashPolicy, { kind: 'header', name: 'user' })
  })
})

describe('flask demo', { skip }, () => {
  const host = { Host: 'flask.example.com' }
  const fe = (s: string) => `outbound|5000|${s}|flaskfrontend.default.svc.cluster.local`
  it('URI prefixes /home and /list are routed, / is 404, other hosts 404', async () => {
    for (const path of ['/home', '/list', '/homepage']) {
      const e = await explainCase('flask-ingress', { url: `http://gw${path}`, headers: host })
      assert.deepEqual(clusters(e), [[fe(''), 100]], path)
    }
    const root = await explainCase('flask-ingress', { url: 'http://gw/', headers: host })
    assert.deepEqual([root.status, root.flags], [404, 'NR'])
    assert.equal(root.skipped.length, 2)
    const other = await explainCase('flask-ingress', {
      url: 'http://gw/home',
      headers: { Host: 'x.example.com' },
    })
    assert.deepEqual([other.status, other.flags], [404, 'NR'])
  })
  it('canary 90/10; the canary header forces v2 only where rule 1 does not match', async () => {
    assert.deepEqual(clusters(await explainCase('flask-canary', { url: 'http://gw/home', headers: host })), [
      [fe('v1'), 90],
      [fe('v2'), 10],
    ])
    const h = { ...host, canary: 'canary' }
    const home = await explainCase('flask-focused-canary', { url: 'http://gw/home', headers: h })
    assert.equal(home.rule, 0)
    const root = await explainCase('flask-focused-canary', { url: 'http://gw/', headers: h })
    assert.deepEqual(clusters(root), [[fe('v2'), 100]])
    const plain = await explainCase('flask-focused-canary', { url: 'http://gw/', headers: host })
    assert.deepEqual([plain.status, plain.flags], [404, 'NR'])
  })
})

describe('edge cases', () => {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: default}
spec:
  template: {metadata: {labels: {app: reviews, version: v1}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v9, labels: {version: v9}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /nc}}]
    route: [{destination: {host: reviews, subset: v4}}]
  - match: [{uri: {prefix: /uh}}]
    route: [{destination: {host: reviews, subset: v9}}]
  - match: [{uri: {prefix: /split}}]
    route: [{destination: {host: reviews, subset: v1}, weight: 3}, {destination: {host: reviews, subset: v9}, weight: 0}, {destination: {host: reviews, subset: v4}, weight: 1}]
  - match: [{uri: {prefix: /moved}}]
    redirect: {uri: /new, redirectCode: 302}
  - match: [{uri: {exact: /teapot}}]
    directResponse: {status: 418, body: {string: short and stout}}
`
  const snap = buildSnapshot(parseText(yaml, 'edge.yaml').resources)
  const cfg = compileProxy(
    snap,
    resolveNode(snap, { role: 'sidecar', namespace: 'default', labels: { app: 'x' } }),
  ).config
  it('an undefined subset is 503 NC; a subset without pods is 503 UH', () => {
    assert.deepEqual(
      [
        explainRequest(cfg, { url: 'http://reviews:9080/nc' }).status,
        explainRequest(cfg, { url: 'http://reviews:9080/nc' }).flags,
      ],
      [503, 'NC'],
    )
    const uh = explainRequest(cfg, { url: 'http://reviews:9080/uh' })
    assert.deepEqual([uh.status, uh.flags], [503, 'UH'])
  })
  it('weight 0 is dropped, weights are relative, unmatched paths 404', () => {
    const e = explainRequest(cfg, { url: 'http://reviews.default.svc.cluster.local:9080/split' })
    assert.deepEqual(clusters(e), [
      ['outbound|9080|v1|reviews.default.svc.cluster.local', 75],
      ['outbound|9080|v4|reviews.default.svc.cluster.local', 25],
    ])
    assert.equal(e.status, null)
    assert.equal(explainRequest(cfg, { url: 'http://reviews:9080/' }).status, 404)
  })
  it('redirects and direct responses', () => {
    const r = explainRequest(cfg, { url: 'http://reviews:9080/moved' })
    assert.deepEqual(r.redirect, { status: 302, location: 'http://reviews/new' })
    assert.equal(explainRequest(cfg, { url: 'http://reviews:9080/teapot' }).status, 418)
  })
  it('the bare short name only resolves from the same namespace', () => {
    const other = compileProxy(snap, syntheticSidecar('other', { app: 'x' })).config
    assert.equal(explainRequest(other, { url: 'http://reviews:9080/split' }).virtualHost, 'allow_any')
    assert.equal(
      explainRequest(other, { url: 'http://reviews.default:9080/split' }).virtualHost,
      'reviews.default.svc.cluster.local:9080',
    )
  })
})

describe('config-time rules in explanations', { skip }, () => {
  it('names the sourceLabels rules that were dropped for this caller', async () => {
    const c = await loadCase('aks-step10-app-2.0')
    const e = explain(c.snapshot, c.node, { url: 'http://voting-analytics:8080/analytics' })
    assert.equal(e.rule, 1)
    assert.equal(e.skipped.length, 1)
    assert.equal(e.skipped[0]?.stage, 'config')
    assert.match(
      e.skipped[0]?.reasons[0] ?? '',
      /^sourceLabels app=voting-app,version=1\.0 do not select the caller/,
    )
    const other = explain(c.snapshot, syntheticSidecar('voting', { app: 'other' }), {
      url: 'http://voting-analytics:8080/analytics',
    })
    assert.deepEqual([other.status, other.flags, other.skipped.length], [404, 'NR', 2])
    const tcp = explain(c.snapshot, syntheticSidecar('voting', { app: 'other' }), {
      url: 'tcp://voting-storage:6379',
    })
    assert.equal(tcp.skipped.length, 4)
  })
  it('names gateway-only rules when explaining from a sidecar', async () => {
    const c = await loadCase('aks-step10-gateway')
    const e = explain(c.snapshot, c.node, { url: 'http://x/', headers: { cookie: 'featureflag=on' } })
    assert.equal(e.rule, 0)
    assert.equal(e.skipped.length, 0)
  })
})

describe('gateway explanations', { skip }, () => {
  it('name the Gateway whose server took the request', async () => {
    const c = await loadCase('flask-ingress')
    const e = explain(c.snapshot, c.node, { url: 'http://gw/home', headers: { host: 'flask.example.com' } })
    assert.equal(e.gateway, 'default/flask-gateway')
    assert.equal(e.virtualHost, 'flask.example.com:80')
    assert.equal(e.virtualService, 'flaskvirtualservice.default')
  })
})

describe('online boutique', { skip }, () => {
  it('the gateway sends every host and path to frontend:80', async () => {
    const e = await explainCase('boutique-gateway', {
      url: 'http://34.1.2.3/',
      headers: { host: 'shop.example' },
    })
    assert.deepEqual(clusters(e), [['outbound|80||frontend.default.svc.cluster.local', 100]])
    assert.equal(e.destinations[0]?.endpoints[0]?.port, 8080)
  })
  it('the frontend reaches recommendationservice over gRPC and Google APIs by SNI', async () => {
    const grpc = await explainCase('boutique-frontend', {
      url: 'http://recommendationservice:8080/hipstershop.RecommendationService/ListRecommendations',
      method: 'POST',
    })
    assert.deepEqual(clusters(grpc), [
      ['outbound|8080||recommendationservice.default.svc.cluster.local', 100],
    ])
    const c = await loadCase('boutique-frontend')
    const cfg = compileProxy(c.snapshot, c.node).config
    assert.equal(
      cfg.clusters['outbound|8080||recommendationservice.default.svc.cluster.local']?.protocol,
      'http2',
    )
    const sni = explainRequest(cfg, { url: 'tcp://storage.googleapis.com:443' })
    assert.deepEqual(clusters(sni), [['outbound|443||*.googleapis.com', 100]])
    const other = explainRequest(cfg, { url: 'tcp://www.example.com:443' })
    assert.deepEqual(clusters(other), [['PassthroughCluster', 100]])
  })
})

describe('egress under REGISTRY_ONLY', { skip }, () => {
  it('a wildcard TLS ServiceEntry lets its SNI through; other TLS hosts hit the BlackHoleCluster', async () => {
    const wiki = await explainCase('feature-wildcard-egress', { url: 'https://en.wikipedia.org/wiki/Istio' })
    assert.deepEqual(clusters(wiki), [['outbound|443||*.wikipedia.org', 100]])
    assert.equal(wiki.status, null)
    const google = await explainCase('feature-wildcard-egress', { url: 'https://www.google.com/' })
    assert.deepEqual(clusters(google), [['BlackHoleCluster', 100]])
    assert.equal(google.flags, 'UH')
    const plain = await explainCase('feature-wildcard-egress', { url: 'http://www.google.com/' })
    assert.deepEqual([plain.status, plain.virtualHost], [502, 'block_all'])
    const timeout = await explainCase('feature-wildcard-egress', { url: 'http://httpbin.org/delay/5' })
    assert.equal(timeout.policies.timeoutMs, 3000)
    assert.deepEqual(timeout.policies.retries?.retryOn, ['gateway-error'])
    const storage = await explainCase('feature-wildcard-egress', { url: 'http://storage.googleapis.com/b' })
    assert.deepEqual(
      [storage.virtualHost, storage.virtualService, storage.policies.timeoutMs],
      ['storage.googleapis.com:80', 'storage-api.default', 5000],
    )
    assert.deepEqual(clusters(storage), [['outbound|80||*.googleapis.com', 100]])
    const other = await explainCase('feature-wildcard-egress', { url: 'http://www.googleapis.com/b' })
    assert.deepEqual([other.virtualHost, other.virtualService], ['*.googleapis.com:80', null])
  })
})

describe('two Gateways on one port', { skip }, () => {
  it('merge their VirtualServices for host *: ACME challenges to cert-manager, the rest to the app', async () => {
    const acme = await explainCase('aks-certmanager-gateway', {
      url: 'http://gw/.well-known/acme-challenge/t0k3n',
    })
    assert.equal(acme.virtualService, 'cert-manager.istio-system')
    assert.deepEqual([acme.status, acme.flags], [503, 'NC'])
    const app = await explainCase('aks-certmanager-gateway', { url: 'http://gw/' })
    assert.equal(app.virtualService, 'voting-app.voting')
    assert.equal(app.status, null)
  })
})

describe('delegation', { skip }, () => {
  it('routes through the delegate with the root timeout filling in', async () => {
    const e = await explainCase('feature-delegate', {
      url: 'http://bookinfo.example/reviews/v2/1',
      headers: { 'end-user': 'jason' },
    })
    assert.deepEqual(
      [e.virtualService, e.rule, e.routeName, e.policies.timeoutMs],
      ['reviews.team', 0, 'reviews-jason', 3000],
    )
    const other = await explainCase('feature-delegate', { url: 'http://bookinfo.example/other' })
    assert.equal(other.virtualService, 'fallback.team', '/other is outside the root prefix /reviews: dropped')
  })
})
