/**
 * @module test/e2e/examples-offline — every walk-through step in `examples/` that routing decides, checked
 * offline: `weir explain -f <the step's files>` must give the outcome the tutorial claims. Each step runs the
 * pipeline `weir explain` runs (load, snapshot, explain, JSON) in this process; two steps also run the real CLI.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadPaths } from '../../src/api/load.ts'
import { explanationJson, parseLabels } from '../../src/cli/explain.ts'
import { explain } from '../../src/compile/explain-snapshot.ts'
import { ingressGatewayNode, syntheticSidecar } from '../../src/compile/node.ts'
import { buildSnapshot } from '../../src/model/snapshot.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

interface Destination {
  cluster: string
  weight: number
  subset: string | null
}
interface Explained {
  status: number | null
  virtualService: string | null
  destinations: Destination[]
  policies: {
    retries?: { attempts: number; retryOn: string[]; perTryTimeoutMs?: number }
    timeoutMs?: number
    fault?: { delay?: { fixedDelayMs: number }; abort?: { httpStatus?: number } }
    mirrors?: { cluster: string; percentage: number }[]
    hashPolicy?: { kind: string; name?: string }
  }
}

/** Who sends the request: a sidecar with labels, or the ingress gateway. */
type Caller = { labels: string; namespace?: string } | 'gateway'

interface Step {
  name: string
  files: string[]
  url: string
  from: Caller
  headers?: string[]
  namespace?: string
  expect: (e: Explained) => void
}

/** `{ subset-or-cluster: weight }` of the destinations. */
function split(e: Explained): Record<string, number> {
  return Object.fromEntries(e.destinations.map((d) => [d.subset ?? d.cluster, d.weight]))
}
const routes =
  (want: Record<string, number>) =>
  (e: Explained): void =>
    assert.deepEqual(split(e), want)
const status = (code: number) => (e: Explained) => assert.equal(e.status, code)

function headersOf(step: Step): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const h of step.headers ?? []) {
    const i = h.indexOf(':')
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim()
  }
  return headers
}

/** What `weir explain -f … -o json` prints for the step, computed in this process. */
async function explainHere(step: Step): Promise<Explained> {
  const loaded = await loadPaths(step.files.map((f) => join(ROOT, 'examples', f)))
  const errors = loaded.diagnostics.filter((d) => d.severity === 'Error')
  assert.deepEqual(
    errors.map((d) => d.message),
    [],
  )
  const namespace = step.namespace ?? 'default'
  const snapshot = buildSnapshot(loaded.resources, { namespace })
  const node =
    step.from === 'gateway'
      ? ingressGatewayNode()
      : syntheticSidecar(step.from.namespace ?? namespace, parseLabels(step.from.labels) ?? {})
  const e = explain(snapshot, node, { url: step.url, method: 'GET', headers: headersOf(step) })
  return JSON.parse(JSON.stringify(explanationJson(e))) as Explained
}

/** The step through the real `weir explain` process. */
function runExplain(step: Step): Promise<Explained> {
  const args = [WEIR, 'explain', '-o', 'json', '--url', step.url]
  for (const f of step.files) args.push('-f', `examples/${f}`)
  for (const h of step.headers ?? []) args.push('-H', h)
  if (step.namespace) args.push('-n', step.namespace)
  if (step.from === 'gateway') args.push('--gateway')
  else
    args.push(
      '--source-namespace',
      step.from.namespace ?? step.namespace ?? 'default',
      '--source-labels',
      step.from.labels,
    )
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`weir ${args.slice(1).join(' ')} exited ${code}: ${err}`))
      else resolve(JSON.parse(out) as Explained)
    })
  })
}

const V = 'aks-voting'
const votingApp = { labels: 'app=voting-app,version=1.0' }
const votingApp2 = { labels: 'app=voting-app,version=2.0' }
const T = 'tkubica/istio'
const client = { labels: 'app=client' }
const F = 'flask'
const B = 'istio-samples/samples/bookinfo'
const BI = [`${B}/platform/kube/bookinfo.yaml`, `${B}/networking/destination-rule-all.yaml`]
const productpage = { labels: 'app=productpage,version=v1' }
const reviewsV2 = { labels: 'app=reviews,version=v2' }
const HW = 'istio-samples/samples/helloworld'
const W = 'istio-samples/weir'
const sleep = { labels: 'app=sleep' }

const STEPS: Step[] = [
  // AKS voting (namespace voting)
  {
    name: 'voting 4: the gateway sends / to voting-app',
    files: [
      `${V}/kubernetes/step-1-create-voting-app.yaml`,
      `${V}/istio/step-1-create-voting-app-gateway.yaml`,
    ],
    namespace: 'voting',
    from: 'gateway',
    url: 'http://20.0.0.1/',
    expect: routes({ 'outbound|8080||voting-app.voting.svc.cluster.local': 100 }),
  },
  ...[
    { url: 'http://20.0.0.1/', from: 'gateway' as const, want: { 'v1-0': 100 } },
    { url: 'http://voting-analytics:8080/analytics', from: votingApp, want: { 'v1-1': 100 } },
  ].map(
    (c): Step => ({
      name: `voting 7: ${c.url} → ${Object.keys(c.want)[0]}`,
      files: [
        `${V}/kubernetes/step-1-create-voting-app.yaml`,
        `${V}/kubernetes/step-2-update-voting-analytics-to-1.1.yaml`,
        `${V}/istio/step-1-create-voting-app-gateway.yaml`,
        `${V}/istio/step-2-update-and-add-routing-for-all-components.yaml`,
      ],
      namespace: 'voting',
      from: c.from,
      url: c.url,
      expect: routes(c.want),
    }),
  ),
  ...[
    { headers: ['cookie: featureflag=on'], from: 'gateway' as const, url: 'http://20.0.0.1/', want: 'v2-0' },
    {
      headers: ['cookie: a=b; featureflag=on'],
      from: 'gateway' as const,
      url: 'http://20.0.0.1/',
      want: 'v2-0',
    },
    { headers: [], from: 'gateway' as const, url: 'http://20.0.0.1/', want: 'v1-0' },
    { headers: [], from: votingApp2, url: 'http://voting-analytics:8080/analytics', want: 'v2-0' },
    { headers: [], from: votingApp, url: 'http://voting-analytics:8080/analytics', want: 'v1-1' },
  ].map(
    (c, i): Step => ({
      name: `voting 9–11 (${i}): ${c.headers.join() || 'no cookie'} ${c.url} → ${c.want}`,
      files: [
        `${V}/kubernetes/step-1-create-voting-app.yaml`,
        `${V}/kubernetes/step-2-update-voting-analytics-to-1.1.yaml`,
        `${V}/kubernetes/step-3-update-voting-app-with-new-storage.yaml`,
        `${V}/istio/step-1-create-voting-app-gateway.yaml`,
        `${V}/istio/step-3-add-routing-for-2.0-components.yaml`,
      ],
      namespace: 'voting',
      from: c.from,
      headers: c.headers,
      url: c.url,
      expect: routes({ [c.want]: 100 }),
    }),
  ),
  {
    name: 'voting 12: finalized, everyone reaches 2.0',
    files: [
      `${V}/kubernetes/step-3-update-voting-app-with-new-storage.yaml`,
      `${V}/istio/step-1-create-voting-app-gateway.yaml`,
      `${V}/weir/step-4-finalize-rollout.yaml`,
    ],
    namespace: 'voting',
    from: 'gateway',
    url: 'http://20.0.0.1/',
    expect: routes({ 'v2-0': 100 }),
  },
  // tkubica
  {
    name: 'tkubica 7: retries 15 × 1 s within 15 s',
    files: [`${T}/client.yaml`, `${T}/retryBackend.yaml`, `${T}/retryVirtualService.yaml`],
    from: client,
    url: 'http://retry-service/?failRate=50',
    expect: (e) => {
      assert.equal(e.policies.retries?.attempts, 15)
      assert.equal(e.policies.retries?.perTryTimeoutMs, 1000)
      assert.equal(e.policies.timeoutMs, 15_000)
    },
  },
  {
    name: 'tkubica 7b: retries 30 on gateway-error,reset,5xx',
    files: [
      `${T}/client.yaml`,
      `${T}/retryBackend.yaml`,
      'tkubica/kubernetes-demo-2020/istio/retryVirtualService.yaml',
    ],
    from: client,
    url: 'http://retry-service/?failRate=50&mode=crash',
    expect: (e) => {
      assert.equal(e.policies.retries?.attempts, 30)
      assert.deepEqual([...(e.policies.retries?.retryOn ?? [])].sort(), ['5xx', 'gateway-error', 'reset'])
      assert.equal(e.policies.timeoutMs, 30_000)
    },
  },
  {
    name: 'tkubica 8: retry-service mirrored to the sniffer',
    files: [
      `${T}/client.yaml`,
      `${T}/retryBackend.yaml`,
      `${T}/sniffer.yaml`,
      `${T}/copyVirtualService.yaml`,
    ],
    from: client,
    url: 'http://retry-service/?failRate=1',
    expect: (e) => {
      assert.deepEqual(split(e), { 'outbound|80||retry-service.default.svc.cluster.local': 100 })
      assert.deepEqual(e.policies.mirrors, [
        { cluster: 'outbound|80||sniffer.default.svc.cluster.local', percentage: 100 },
      ])
    },
  },
  {
    name: 'tkubica 9: no rule, one cluster over all six myweb pods',
    files: [`${T}/client.yaml`, `${T}/canary.yaml`],
    from: client,
    url: 'http://myweb-service/',
    expect: routes({ 'outbound|80||myweb-service.default.svc.cluster.local': 100 }),
  },
  {
    name: 'tkubica 10: 90/10',
    files: [`${T}/client.yaml`, `${T}/canary.yaml`, `${T}/canary10percent.yaml`],
    from: client,
    url: 'http://myweb-service/',
    expect: routes({ v1: 90, v2: 10 }),
  },
  ...[
    { headers: [], want: 'v1' },
    { headers: ['cookie: usertype=tester'], want: 'v2' },
    { headers: ['cookie: session=1;usertype=tester'], want: 'v2' },
  ].map(
    (c): Step => ({
      name: `tkubica 11: cookie canary, ${c.headers.join() || 'no cookie'} → ${c.want}`,
      files: [`${T}/client.yaml`, `${T}/canary.yaml`, `${T}/canaryCookie.yaml`],
      from: client,
      headers: c.headers,
      url: 'http://myweb-service/',
      expect: routes({ [c.want]: 100 }),
    }),
  ),
  {
    name: 'tkubica 14: the ServiceEntry makes httpbin.org a mesh service',
    files: [`${T}/client.yaml`, 'tkubica/weir/mesh-registry-only.yaml', `${T}/serviceEntry.yaml`],
    from: client,
    url: 'http://httpbin.org/ip',
    expect: routes({ 'outbound|80||httpbin.org': 100 }),
  },
  {
    name: 'tkubica 15: the gateway routes myweb-service.domain.com',
    files: [`${T}/canary.yaml`, `${T}/gateway.yaml`],
    from: 'gateway',
    headers: ['Host: myweb-service.domain.com'],
    url: 'http://20.0.0.1/',
    expect: routes({ 'outbound|80||myweb-service.default.svc.cluster.local': 100 }),
  },
  {
    name: 'tkubica 15: any other Host gets 404',
    files: [`${T}/canary.yaml`, `${T}/gateway.yaml`],
    from: 'gateway',
    headers: ['Host: other.example.com'],
    url: 'http://20.0.0.1/',
    expect: status(404),
  },
  {
    name: 'tkubica 16: lbRandom, only v1',
    files: [`${T}/client.yaml`, `${T}/canary.yaml`, `${T}/lbRandom.yaml`],
    from: client,
    url: 'http://myweb-service/',
    expect: routes({ v1: 100 }),
  },
  {
    name: 'tkubica 17: lbHeaderHash hashes on the User header',
    files: [`${T}/client.yaml`, `${T}/canary.yaml`, `${T}/lbHeaderHash.yaml`],
    from: client,
    headers: ['User: tomas'],
    url: 'http://myweb-service/',
    expect: (e) => {
      assert.deepEqual(split(e), { v1: 100 })
      assert.equal(e.policies.hashPolicy?.kind, 'header')
      assert.equal(e.policies.hashPolicy?.name?.toLowerCase(), 'user')
    },
  },
  // flask
  ...['/home', '/list'].map(
    (path): Step => ({
      name: `flask 3: ${path} → flaskfrontend`,
      files: [`${F}/kubernetes.yaml`, `${F}/ingress.yaml`],
      from: 'gateway',
      headers: ['Host: flask.example.com'],
      url: `http://20.0.0.1${path}`,
      expect: routes({ 'outbound|5000||flaskfrontend.default.svc.cluster.local': 100 }),
    }),
  ),
  ...[
    { host: 'flask.example.com', path: '/' },
    { host: 'other.example.com', path: '/home' },
  ].map(
    (c): Step => ({
      name: `flask 3: ${c.host}${c.path} → 404`,
      files: [`${F}/kubernetes.yaml`, `${F}/ingress.yaml`],
      from: 'gateway',
      headers: [`Host: ${c.host}`],
      url: `http://20.0.0.1${c.path}`,
      expect: status(404),
    }),
  ),
  {
    name: 'flask 5: 90/10',
    files: [`${F}/kubernetes.yaml`, `${F}/gateway.yaml`, `${F}/canary_ingress.yaml`],
    from: 'gateway',
    headers: ['Host: flask.example.com'],
    url: 'http://20.0.0.1/home',
    expect: routes({ v1: 90, v2: 10 }),
  },
  {
    name: 'flask 6: 50/50 (Weir-written)',
    files: [
      `${F}/kubernetes.yaml`,
      `${F}/gateway.yaml`,
      `${F}/canary_ingress.yaml`,
      `${F}/weir/canary_50_50.yaml`,
    ],
    from: 'gateway',
    headers: ['Host: flask.example.com'],
    url: 'http://20.0.0.1/home',
    expect: routes({ v1: 50, v2: 50 }),
  },
  ...[
    { path: '/home', headers: ['canary: canary'], expect: routes({ v1: 90, v2: 10 }) },
    { path: '/', headers: ['canary: canary'], expect: routes({ v2: 100 }) },
    { path: '/', headers: [], expect: status(404) },
  ].map(
    (c): Step => ({
      name: `flask 7: ${c.path} ${c.headers.join() || 'no header'}`,
      files: [
        `${F}/kubernetes.yaml`,
        `${F}/gateway.yaml`,
        `${F}/canary_ingress.yaml`,
        `${F}/focused_Canary_Testing.yaml`,
      ],
      from: 'gateway',
      headers: ['Host: flask.example.com', ...c.headers],
      url: `http://20.0.0.1${c.path}`,
      expect: c.expect,
    }),
  ),
  // online boutique
  {
    name: 'boutique 5: the gateway sends / to frontend',
    files: [
      'online-boutique/kubernetes-manifests/recommendationservice.yaml',
      'online-boutique/weir/frontend.yaml',
      'online-boutique/istio-manifests/frontend-gateway.yaml',
      'online-boutique/istio-manifests/frontend.yaml',
    ],
    from: 'gateway',
    url: 'http://20.0.0.1/',
    expect: routes({ 'outbound|80||frontend.default.svc.cluster.local': 100 }),
  },
  // bookinfo
  {
    name: 'bookinfo 3–4: the gateway (port 8080) sends /productpage to productpage',
    files: [`${B}/platform/kube/bookinfo.yaml`, `${B}/networking/bookinfo-gateway.yaml`],
    from: 'gateway',
    url: 'http://20.0.0.1:8080/productpage',
    expect: routes({ 'outbound|9080||productpage.default.svc.cluster.local': 100 }),
  },
  {
    name: 'bookinfo 3: other paths get 404',
    files: [`${B}/platform/kube/bookinfo.yaml`, `${B}/networking/bookinfo-gateway.yaml`],
    from: 'gateway',
    url: 'http://20.0.0.1:8080/admin',
    expect: status(404),
  },
  {
    name: 'routing 1: all v1',
    files: [...BI, `${B}/networking/virtual-service-all-v1.yaml`],
    from: productpage,
    url: 'http://reviews:9080/reviews/0',
    expect: routes({ v1: 100 }),
  },
  ...[
    { headers: ['end-user: jason'], want: 'v2' },
    { headers: ['end-user: bob'], want: 'v1' },
    { headers: [], want: 'v1' },
  ].map(
    (c): Step => ({
      name: `routing 2: ${c.headers.join() || 'logged out'} → reviews ${c.want}`,
      files: [
        ...BI,
        `${B}/networking/virtual-service-all-v1.yaml`,
        `${B}/networking/virtual-service-reviews-test-v2.yaml`,
      ],
      from: productpage,
      headers: c.headers,
      url: 'http://reviews:9080/reviews/0',
      expect: routes({ [c.want]: 100 }),
    }),
  ),
  ...[
    { file: 'virtual-service-reviews-50-v3.yaml', want: { v1: 50, v3: 50 } },
    { file: 'virtual-service-reviews-v3.yaml', want: { v3: 100 } },
    { file: 'virtual-service-reviews-v2-v3.yaml', want: { v2: 50, v3: 50 } },
    { file: 'virtual-service-reviews-80-20.yaml', want: { v1: 80, v2: 20 } },
    { file: 'virtual-service-reviews-90-10.yaml', want: { v1: 90, v2: 10 } },
  ].map(
    (c): Step => ({
      name: `shifting: ${c.file}`,
      files: [...BI, `${B}/networking/virtual-service-all-v1.yaml`, `${B}/networking/${c.file}`],
      from: productpage,
      url: 'http://reviews:9080/reviews/0',
      expect: routes(c.want),
    }),
  ),
  {
    name: 'fault 1: jason gets a 7 s delay to ratings',
    files: [
      ...BI,
      `${B}/networking/virtual-service-all-v1.yaml`,
      `${B}/networking/virtual-service-reviews-test-v2.yaml`,
      `${B}/networking/virtual-service-ratings-test-delay.yaml`,
    ],
    from: reviewsV2,
    headers: ['end-user: jason'],
    url: 'http://ratings:9080/ratings/0',
    expect: (e) => assert.equal(e.policies.fault?.delay?.fixedDelayMs, 7000),
  },
  {
    name: 'fault 1: others get no delay',
    files: [
      ...BI,
      `${B}/networking/virtual-service-all-v1.yaml`,
      `${B}/networking/virtual-service-ratings-test-delay.yaml`,
    ],
    from: reviewsV2,
    url: 'http://ratings:9080/ratings/0',
    expect: (e) => assert.equal(e.policies.fault, undefined),
  },
  {
    name: 'fault 2: jason gets abort 500 from ratings',
    files: [
      ...BI,
      `${B}/networking/virtual-service-all-v1.yaml`,
      `${B}/networking/virtual-service-ratings-test-abort.yaml`,
    ],
    from: reviewsV2,
    headers: ['end-user: jason'],
    url: 'http://ratings:9080/ratings/0',
    expect: (e) => assert.equal(e.policies.fault?.abort?.httpStatus, 500),
  },
  {
    name: 'timeouts: ratings delayed 2 s',
    files: [...BI, `${W}/request-timeouts/reviews-v2.yaml`, `${W}/request-timeouts/ratings-delay-2s.yaml`],
    from: reviewsV2,
    url: 'http://ratings:9080/ratings/0',
    expect: (e) => {
      assert.deepEqual(split(e), { v1: 100 })
      assert.equal(e.policies.fault?.delay?.fixedDelayMs, 2000)
    },
  },
  {
    name: 'timeouts: reviews v2 within 0.5 s',
    files: [
      ...BI,
      `${W}/request-timeouts/reviews-v2-timeout.yaml`,
      `${W}/request-timeouts/ratings-delay-2s.yaml`,
    ],
    from: productpage,
    url: 'http://reviews:9080/reviews/0',
    expect: (e) => {
      assert.deepEqual(split(e), { v2: 100 })
      assert.equal(e.policies.timeoutMs, 500)
    },
  },
  {
    name: 'circuit breaking: httpbin keeps its one cluster',
    files: [
      'istio-samples/samples/httpbin/httpbin.yaml',
      'istio-samples/samples/httpbin/sample-client/fortio-deploy.yaml',
      `${W}/circuit-breaking/destination-rule-httpbin.yaml`,
    ],
    from: { labels: 'app=fortio' },
    url: 'http://httpbin:8000/get',
    expect: routes({ 'outbound|8000||httpbin.default.svc.cluster.local': 100 }),
  },
  {
    name: 'mirroring 1: all to v1, no mirror',
    files: [`${W}/mirroring/httpbin-v1-v2-sleep.yaml`, `${W}/mirroring/httpbin-all-v1.yaml`],
    from: sleep,
    url: 'http://httpbin:8000/headers',
    expect: (e) => {
      assert.deepEqual(split(e), { v1: 100 })
      assert.deepEqual(e.policies.mirrors ?? [], [])
    },
  },
  {
    name: 'mirroring 2: v1 answers, v2 gets a copy',
    files: [
      `${W}/mirroring/httpbin-v1-v2-sleep.yaml`,
      `${W}/mirroring/httpbin-all-v1.yaml`,
      `${W}/mirroring/httpbin-mirror-v2.yaml`,
    ],
    from: sleep,
    url: 'http://httpbin:8000/headers',
    expect: (e) => {
      assert.deepEqual(split(e), { v1: 100 })
      assert.deepEqual(e.policies.mirrors, [
        { cluster: 'outbound|8000|v2|httpbin.default.svc.cluster.local', percentage: 100 },
      ])
    },
  },
  {
    name: 'egress 3: the ServiceEntry routes httpbin.org',
    files: [
      'istio-samples/samples/sleep/sleep.yaml',
      `${W}/egress/mesh-registry-only.yaml`,
      `${W}/egress/serviceentry-httpbin-ext.yaml`,
    ],
    from: sleep,
    url: 'http://httpbin.org/headers',
    expect: routes({ 'outbound|80||httpbin.org': 100 }),
  },
  {
    name: 'egress 5: a 3 s timeout on httpbin.org',
    files: [
      'istio-samples/samples/sleep/sleep.yaml',
      `${W}/egress/serviceentry-httpbin-ext.yaml`,
      `${W}/egress/virtualservice-httpbin-ext-timeout.yaml`,
    ],
    from: sleep,
    url: 'http://httpbin.org/delay/5',
    expect: (e) => {
      assert.deepEqual(split(e), { 'outbound|80||httpbin.org': 100 })
      assert.equal(e.policies.timeoutMs, 3000)
    },
  },
  {
    name: 'helloworld 2: /hello → helloworld',
    files: [`${HW}/helloworld.yaml`, `${HW}/helloworld-gateway.yaml`],
    from: 'gateway',
    url: 'http://20.0.0.1/hello',
    expect: routes({ 'outbound|5000||helloworld.default.svc.cluster.local': 100 }),
  },
  {
    name: 'helloworld 2: other paths get 404',
    files: [`${HW}/helloworld.yaml`, `${HW}/helloworld-gateway.yaml`],
    from: 'gateway',
    url: 'http://20.0.0.1/',
    expect: status(404),
  },
]

test('every routing step of the examples gives the outcome the tutorial claims', async (t) => {
  for (const step of STEPS) await t.test(step.name, async () => step.expect(await explainHere(step)))
})

test('the weir explain CLI agrees on a weighted split and a gateway 404', { timeout: 60_000 }, async () => {
  const split9010 = STEPS.find((s) => s.name === 'tkubica 10: 90/10')
  const notFound = STEPS.find((s) => s.name === 'flask 7: / no header')
  assert.ok(split9010 && notFound)
  const [a, b] = await Promise.all([runExplain(split9010), runExplain(notFound)])
  split9010.expect(a)
  notFound.expect(b)
})
