/**
 * istio.io Bookinfo and its traffic-management tasks (scenarios.md §5a–5e) with `weir` in place of kubectl:
 * the gateway, request routing for jason, the 80/20 shift, the 7 s delay turning into the reviews error after
 * about 6 s, the abort, and the 0.5 s timeout giving 504. Files from `examples/istio-samples/`, one `weir up`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { example, http, type Mesh, many, percent, startMesh, waitFor } from './mesh.ts'

const NET = (f: string): string => example(`istio-samples/samples/bookinfo/networking/${f}`)
const TIMEOUTS = (f: string): string => example(`istio-samples/weir/request-timeouts/${f}`)
let mesh: Mesh | undefined
let jason = ''

const stars = (html: string): string | undefined => /text-(black|red)-500/.exec(html)?.[1]
const page = async (cookie?: string): Promise<string> => {
  const a = await http(`${mesh?.gatewayUrl ?? ''}/productpage`, {
    headers: cookie ? { cookie } : {},
    timeoutMs: 20_000,
  })
  assert.equal(a.status, 200)
  return a.body
}

before(async () => {
  mesh = await startMesh(
    [
      example('istio-samples/weir/namespace-default.yaml'),
      example('istio-samples/samples/bookinfo/platform/kube/bookinfo.yaml'),
      NET('bookinfo-gateway.yaml'),
    ],
    6,
  )
})

after(async () => {
  await mesh?.stop()
})

test('bookinfo: the productpage through the gateway; other paths 404', { timeout: 120_000 }, async () => {
  const html = await waitFor('the product page', async () => {
    const a = await http(`${mesh?.gatewayUrl ?? ''}/productpage`)
    return a.status === 200 ? a.body : undefined
  })
  assert.match(html, /<title>Simple Bookstore App<\/title>/)
  assert.equal((await http(`${mesh?.gatewayUrl ?? ''}/admin`)).status, 404)
  // POST /login through the gateway: the session cookie for jason.
  const login = await http(`${mesh?.gatewayUrl ?? ''}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=jason&passwd=',
  })
  assert.equal(login.status, 302)
  const setCookie = login.headers['set-cookie']
  jason = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ')
  assert.match(jason, /session=/)
})

test('request routing: jason sees black stars, everyone else none', { timeout: 120_000 }, async () => {
  await mesh?.weir('apply', '-f', NET('destination-rule-all.yaml'))
  await mesh?.weir('apply', '-f', NET('virtual-service-all-v1.yaml'))
  await mesh?.weir('apply', '-f', NET('virtual-service-reviews-test-v2.yaml'))
  await mesh?.weir('wait', '--timeout', '30s')
  for (let i = 0; i < 5; i++) {
    const j = await page(jason)
    assert.match(j, /jason/)
    assert.equal(stars(j), 'black')
    assert.equal(stars(await page()), undefined)
  }
})

test('traffic shifting: reviews-80-20 gives v2 (black stars) 20 % (±5) of 1000 pages', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', NET('virtual-service-reviews-80-20.yaml'))
  await mesh?.weir('wait', '--timeout', '30s')
  const pages = await many(1000, 8, async () => {
    const a = await http(`${mesh?.gatewayUrl ?? ''}/productpage`, { timeoutMs: 20_000 })
    return { ...a, body: a.status === 200 ? (stars(a.body) ?? 'none') : a.body }
  })
  assert.deepEqual(
    pages.filter((p) => p !== 'none' && p !== 'black'),
    [],
  )
  const v2 = percent(pages, (p) => p === 'black')
  assert.ok(Math.abs(v2 - 20) <= 5, `v2 answered ${v2} %`)
})

test('fault injection: a 7 s delay for jason gives the reviews error after about 6 s', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', NET('virtual-service-reviews-test-v2.yaml'))
  await mesh?.weir('apply', '-f', NET('virtual-service-ratings-test-delay.yaml'))
  await mesh?.weir('wait', '--timeout', '30s')
  const started = Date.now()
  const j = await page(jason)
  const took = Date.now() - started
  assert.match(j, /Error fetching product reviews/)
  assert.match(j, /Sorry, product reviews are currently unavailable for this book\./)
  // productpage gives reviews 3 s and one retry: the page cannot come back before 6 s.
  assert.ok(took >= 5_900, `the page came back after ${took} ms`)
  const other = await page()
  assert.doesNotMatch(other, /Error fetching product reviews/)
})

test('fault injection: abort 500 for jason: ratings unavailable; others unaffected', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', NET('virtual-service-ratings-test-abort.yaml'))
  await mesh?.weir('wait', '--timeout', '30s')
  assert.match(await page(jason), /Ratings service is currently unavailable/)
  assert.doesNotMatch(await page(), /Ratings service is currently unavailable/)
  const reviews = await mesh?.pod('reviews')
  const r = await mesh?.exec(
    reviews ?? '',
    'reviews',
    "curl -s -o /dev/null -w '%{http_code}' -H 'end-user: jason' ratings:9080/ratings/0",
  )
  assert.equal(r?.stdout, '500')
})

test('request timeouts: reviews with timeout 0.5s over ratings delayed 2 s answers 504', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', TIMEOUTS('ratings-delay-2s.yaml'))
  await mesh?.weir('apply', '-f', TIMEOUTS('reviews-v2-timeout.yaml'))
  await mesh?.weir('wait', '--timeout', '30s')
  const productpage = await mesh?.pod('productpage')
  const r = await mesh?.exec(
    productpage ?? '',
    'productpage',
    "curl -s -w ' %{http_code}' reviews:9080/reviews/0",
  )
  assert.equal(r?.stdout, 'upstream request timeout 504')
  assert.match(await page(), /Sorry, product reviews are currently unavailable for this book\./)
})
