/** Bookinfo stand-ins: productpage with details, reviews v1/v2/v3 and ratings; login and end-user; error texts; retries. */
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { fetchText } from '../../samples/lib/fetch.ts'
import { type App, freePort, startApp } from './support.ts'

const running: App[] = []
const fakes: Server[] = []
after(async () => {
  await Promise.all(running.map((a) => a.stop()))
  for (const f of fakes) f.close()
})
async function start(app: string, env: Record<string, string> = {}): Promise<App> {
  const a = await startApp(app, env)
  running.push(a)
  return a
}

/** A fake backend answering `status`/`body` and recording each request's headers. */
async function fake(status: number, body: string): Promise<{ port: number; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  const s = createServer((req, res) => {
    seen.push(req.headers)
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(body)
  })
  fakes.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return { port: (s.address() as { port: number }).port, seen }
}

const svc = (name: string, port: number): Record<string, string> => ({
  [`${name}_HOSTNAME`]: '127.0.0.1',
  [`${name}_SERVICE_PORT`]: String(port),
})

describe('bookinfo', () => {
  let details: App
  let ratings: App
  const reviews: Record<string, App> = {}
  const page: Record<string, App> = {}

  before(async () => {
    details = await start('bookinfo-details')
    ratings = await start('bookinfo-ratings')
    const env = { ...svc('RATINGS', ratings.port), HOSTNAME: 'reviews-pod' }
    reviews.v1 = await start('bookinfo-reviews', { ...env, ENABLE_RATINGS: 'false' })
    reviews.v2 = await start('bookinfo-reviews', { ...env, ENABLE_RATINGS: 'true', STAR_COLOR: 'black' })
    reviews.v3 = await start('bookinfo-reviews', { ...env, ENABLE_RATINGS: 'true', STAR_COLOR: 'red' })
    for (const v of ['v1', 'v2', 'v3']) {
      page[v] = await start('bookinfo-productpage', {
        ...svc('DETAILS', details.port),
        ...svc('REVIEWS', reviews[v]!.port),
      })
    }
  })

  it('serves the product page with details and reviews', async () => {
    const r = await fetchText(`${page.v1!.url}/productpage`)
    assert.equal(r.status, 200)
    assert.match(r.body, /<title>Simple Bookstore App<\/title>/)
    assert.match(r.body, /The Comedy of Errors/)
    assert.match(
      r.body,
      /<td>1234567890<\/td><td>PublisherA<\/td><td>200<\/td><td>paperback<\/td><td>English<\/td>/,
    )
    assert.match(r.body, /Reviews served by: reviews-pod/)
    assert.match(
      r.body,
      /An extremely entertaining play by Shakespeare\. The slapstick humour is refreshing!/,
    )
    assert.match(r.body, /Reviewer2/)
  })

  it('shows no stars with reviews v1, black stars with v2, red stars with v3', async () => {
    const v1 = (await fetchText(`${page.v1!.url}/productpage`)).body
    assert.ok(!v1.includes('<svg'), 'v1 shows no stars')
    const v2 = (await fetchText(`${page.v2!.url}/productpage`)).body
    const groups = [...v2.matchAll(/<div class="flex gap-x-1 text-black-500">(.*?)<\/div>/g)].map(
      (m) => m[1] ?? '',
    )
    assert.deepEqual(
      groups.map((g) => [g.match(/fill="currentColor"/g)?.length ?? 0, g.match(/fill="none"/g)?.length ?? 0]),
      [
        [5, 0],
        [4, 1],
      ],
      '5 and 4 filled black stars out of 5',
    )
    const v3 = (await fetchText(`${page.v3!.url}/productpage`)).body
    assert.equal(v3.match(/<div class="flex gap-x-1 text-red-500">/g)?.length, 2)
    assert.ok(!v3.includes('text-black-500'))
  })

  it('reviews JSON carries the pod name and ratings per version', async () => {
    const v2 = JSON.parse((await fetchText(`${reviews.v2!.url}/reviews/0`)).body) as Record<string, unknown>
    assert.equal(v2.id, '0')
    assert.equal(v2.podname, 'reviews-pod')
    assert.deepEqual(
      (v2.reviews as { rating: unknown }[]).map((x) => x.rating),
      [
        { stars: 5, color: 'black' },
        { stars: 4, color: 'black' },
      ],
    )
    const v1 = JSON.parse((await fetchText(`${reviews.v1!.url}/reviews/0`)).body) as { reviews: object[] }
    assert.ok(v1.reviews.every((x) => !('rating' in x)))
  })

  it('login keeps the user in a session cookie and productpage sends end-user to reviews', async () => {
    const rec = await fake(200, JSON.stringify({ id: '0', podname: 'fake', reviews: [] }))
    const pp = await start('bookinfo-productpage', {
      ...svc('DETAILS', details.port),
      ...svc('REVIEWS', rec.port),
    })
    const login = await fetchText(`${pp.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: `${pp.url}/productpage` },
      body: 'username=jason&passwd=x',
    })
    assert.equal(login.status, 302)
    assert.equal(login.headers.location, `${pp.url}/productpage`)
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? ''
    const r = await fetchText(`${pp.url}/productpage`, { headers: { cookie, 'x-request-id': 'rid-7' } })
    assert.match(r.body, /jason/)
    assert.equal(rec.seen.at(-1)?.['end-user'], 'jason')
    assert.equal(rec.seen.at(-1)?.['x-request-id'], 'rid-7')
    await fetchText(`${pp.url}/productpage`)
    assert.equal(rec.seen.at(-1)?.['end-user'], undefined, 'no end-user when logged out')
    const forged = await fetchText(`${pp.url}/productpage`, {
      headers: { cookie: 'session=eyJ1c2VyIjoiamFzb24ifQ.bad' },
    })
    assert.ok(forged.status === 200 && rec.seen.at(-1)?.['end-user'] === undefined)
    const logout = await fetchText(`${pp.url}/logout`, { headers: { cookie } })
    assert.equal(logout.status, 302)
    assert.match(String(logout.headers['set-cookie']), /^session=; Expires=Thu, 01 Jan 1970/)
  })

  it('tries reviews twice, then shows the reviews error texts', async () => {
    const down = await fake(503, 'no healthy upstream')
    const pp = await start('bookinfo-productpage', {
      ...svc('DETAILS', details.port),
      ...svc('REVIEWS', down.port),
    })
    const r = await fetchText(`${pp.url}/productpage`)
    assert.equal(r.status, 200)
    assert.equal(down.seen.length, 2)
    assert.match(r.body, /Error fetching product reviews!/)
    assert.match(r.body, /Sorry, product reviews are currently unavailable for this book\./)
    const api = await fetchText(`${pp.url}/api/v1/products/0/reviews`)
    assert.equal(api.status, 503)
  })

  it('shows the details error texts when details fails (abort 555)', async () => {
    const abort = await fake(555, 'fault filter abort')
    const pp = await start('bookinfo-productpage', {
      ...svc('DETAILS', abort.port),
      ...svc('REVIEWS', reviews.v1!.port),
    })
    const r = await fetchText(`${pp.url}/productpage`)
    assert.match(r.body, /Error fetching product details/)
    assert.match(r.body, /Sorry, product details are currently unavailable for this book\./)
  })

  it('reviews v2 reports "Ratings service is currently unavailable" when ratings fails, and productpage shows it', async () => {
    const broken = await start('bookinfo-reviews', {
      ...svc('RATINGS', await freePort()),
      ENABLE_RATINGS: 'true',
      STAR_COLOR: 'black',
    })
    const j = JSON.parse((await fetchText(`${broken.url}/reviews/0`)).body) as {
      reviews: { rating: unknown }[]
    }
    assert.deepEqual(j.reviews[0]?.rating, { error: 'Ratings service is currently unavailable' })
    const pp = await start('bookinfo-productpage', {
      ...svc('DETAILS', details.port),
      ...svc('REVIEWS', broken.port),
    })
    assert.match((await fetchText(`${pp.url}/productpage`)).body, /Ratings service is currently unavailable/)
  })

  it('answers the JSON APIs and health checks', async () => {
    assert.deepEqual(JSON.parse((await fetchText(`${details.url}/details/0`)).body), {
      id: 0,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    })
    assert.equal((await fetchText(`${details.url}/details/abc`)).status, 400)
    assert.equal(
      (await fetchText(`${ratings.url}/ratings/1`)).body,
      '{"id":1,"ratings":{"Reviewer1":5,"Reviewer2":4}}',
    )
    assert.equal((await fetchText(`${ratings.url}/ratings/x`)).status, 400)
    const post = await fetchText(`${ratings.url}/ratings/7`, {
      method: 'POST',
      body: '{"Reviewer1":1,"Reviewer2":2}',
    })
    assert.equal(post.status, 200)
    assert.equal(
      (await fetchText(`${ratings.url}/ratings/7`)).body,
      '{"id":7,"ratings":{"Reviewer1":1,"Reviewer2":2}}',
    )
    const products = JSON.parse((await fetchText(`${page.v1!.url}/api/v1/products`)).body) as {
      title: string
    }[]
    assert.equal(products[0]?.title, 'The Comedy of Errors')
    assert.equal((await fetchText(`${page.v1!.url}/health`)).body, 'Product page is healthy')
    assert.equal((await fetchText(`${details.url}/health`)).body, '{"status":"Details is healthy"}')
    assert.equal((await fetchText(`${ratings.url}/health`)).body, '{"status":"Ratings is healthy"}')
    assert.equal((await fetchText(`${reviews.v1!.url}/health`)).body, '{"status": "Reviews is healthy"}')
  })
})
