/** Voting app 1.0 and analytics 1.0/1.1 against a real Redis: votes, the results div, the footer, the feature flag cookie. */
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { fetchText } from '../../samples/lib/fetch.ts'
import { createRedisClient, type RedisClient } from '../../samples/lib/redis.ts'
import { type App, freePort, startApp, startRedis, waitForOutput } from './support.ts'

describe('voting app 1.0 with Redis', () => {
  let redis: App
  let db: RedisClient
  let analytics10: App
  let analytics11: App
  let app: App
  const apps: App[] = []

  before(async () => {
    redis = await startRedis()
    db = createRedisClient('127.0.0.1', redis.port)
    const redisEnv = { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port) }
    analytics10 = await startApp('voting-analytics', { ...redisEnv, ANALYTICS_VERSION: '1.0' })
    analytics11 = await startApp('voting-analytics', { ...redisEnv, ANALYTICS_VERSION: '1.1' })
    app = await startApp('voting-app', {
      ...redisEnv,
      APP_VERSION: '1.0',
      SHOWDETAILS: 'true',
      FEATUREFLAG: 'true',
      HOSTNAME: 'voting-app-1-0-6c65c7b8b4-abcde',
      ANALYTICS_HOST: '127.0.0.1',
      ANALYTICS_PORT: String(analytics11.port),
    })
    apps.push(app, analytics10, analytics11, redis)
  })
  after(async () => {
    db?.close()
    await Promise.all(apps.map((a) => a.stop()))
  })

  const vote = (value: string) =>
    fetchText(`${app.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `vote=${encodeURIComponent(value)}`,
    })

  const results = async (): Promise<string> => {
    const page = await fetchText(`${app.url}/`)
    assert.equal(page.status, 200)
    const m = /<div id="results">.*<\/div>/.exec(page.body)
    assert.ok(m, page.body)
    return m[0]
  }

  it('counts votes in Redis with INCR and redirects to /', async () => {
    await vote('reset')
    const r = await vote('Cats')
    assert.equal(r.status, 302)
    assert.equal(r.headers.location, '/')
    await vote('Dogs')
    await vote('Dogs')
    assert.equal(await db.command('GET', 'Cats'), '1')
    assert.equal(await db.command('GET', 'Dogs'), '2')
  })

  it('shows the analytics 1.1 text in the results div, with the host and store footer', async () => {
    await db.command('SET', 'Cats', '2')
    await db.command('SET', 'Dogs', '4')
    const page = await fetchText(`${app.url}/`)
    assert.match(page.body, /<title>AKS Voting App<\/title>/)
    assert.ok(page.body.includes('<div id="results"> Cats: 2/6 (33%) | Dogs: 4/6 (67%) </div>'), page.body)
    assert.ok(page.body.includes('host: voting-app-1-0-6c65c7b8b4-abcde<br/>'))
    assert.ok(page.body.includes('store: redis<br/>'))
    assert.ok(page.body.includes('<button name="vote" value="Cats"'))
    assert.ok(page.body.includes('<button name="vote" value="reset"'))
  })

  it('analytics 1.0 answers the counts format as JSON', async () => {
    await db.command('SET', 'Cats', '2')
    await db.command('SET', 'Dogs', '4')
    const r = await fetchText(`${analytics10.url}/analytics`)
    assert.equal(r.status, 200)
    assert.deepEqual(JSON.parse(r.body), {
      category1: { name: 'Cats', count: 2 },
      category2: { name: 'Dogs', count: 4 },
      text: 'Cats: 2 | Dogs: 4',
    })
  })

  it('rounds percentages as toFixed(0) and shows 0% for a zero count', async () => {
    await db.command('SET', 'Cats', '1')
    await db.command('SET', 'Dogs', '7')
    assert.equal(await results(), '<div id="results"> Cats: 1/8 (13%) | Dogs: 7/8 (88%) </div>')
    await db.command('SET', 'Cats', '0')
    await db.command('SET', 'Dogs', '3')
    assert.equal(await results(), '<div id="results"> Cats: 0/3 (0%) | Dogs: 3/3 (100%) </div>')
  })

  it('reset sets both categories to 0', async () => {
    await vote('Cats')
    await vote('reset')
    assert.equal(await db.command('GET', 'Cats'), '0')
    assert.equal(await db.command('GET', 'Dogs'), '0')
    assert.equal(await results(), '<div id="results"> Cats: 0/0 (0%) | Dogs: 0/0 (0%) </div>')
  })

  it('sets and clears the featureflag cookie; the footer links follow it', async () => {
    const plain = await fetchText(`${app.url}/`)
    assert.ok(
      plain.body.includes(
        'feature flag: <a href="#" onclick="document.setfeatureflag.submit();">set</a> | clear',
      ),
    )
    const set = await fetchText(`${app.url}/featureflag/set`, { method: 'POST' })
    assert.equal(set.status, 302)
    assert.equal(set.headers.location, '/')
    assert.match(String(set.headers['set-cookie']), /^featureflag=on; Path=\/; Expires=/)
    const flagged = await fetchText(`${app.url}/`, { headers: { cookie: 'featureflag=on' } })
    assert.ok(
      flagged.body.includes(
        'feature flag: set | <a href="#" onclick="document.clearfeatureflag.submit();">clear</a>',
      ),
    )
    const clear = await fetchText(`${app.url}/featureflag/clear`, { method: 'POST' })
    assert.equal(clear.status, 302)
    assert.match(String(clear.headers['set-cookie']), /^featureflag=; .*Expires=Thu, 01 Jan 1970/)
  })

  it('forwards the tracing headers (only those) to voting-analytics', async () => {
    const seen: IncomingHttpHeaders[] = []
    const fake = createServer((req, res) => {
      seen.push(req.headers)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ text: 'fake text' }))
    })
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r))
    const port = (fake.address() as { port: number }).port
    const probe = await startApp('voting-app', {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redis.port),
      ANALYTICS_HOST: '127.0.0.1',
      ANALYTICS_PORT: String(port),
    })
    try {
      const page = await fetchText(`${probe.url}/`, {
        headers: { 'x-request-id': 'req-1', 'x-b3-traceid': 'abc', 'x-b3-sampled': '1', 'x-custom': 'no' },
      })
      assert.ok(page.body.includes('<div id="results"> fake text </div>'))
      assert.ok(!page.body.includes('host:'), 'SHOWDETAILS unset hides the footer details')
      assert.ok(!page.body.includes('feature flag'), 'FEATUREFLAG unset hides the flag')
      assert.equal(seen[0]?.['x-request-id'], 'req-1')
      assert.equal(seen[0]?.['x-b3-traceid'], 'abc')
      assert.equal(seen[0]?.['x-b3-sampled'], '1')
      assert.equal(seen[0]?.['x-custom'], undefined)
    } finally {
      await probe.stop()
      fake.close()
    }
  })
})

describe('voting app 1.0 without analytics', () => {
  it('never answers GET / when voting-analytics is unreachable (as the original)', async () => {
    const app = await startApp('voting-app', {
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(await freePort()),
      ANALYTICS_HOST: '127.0.0.1',
      ANALYTICS_PORT: String(await freePort()),
    })
    try {
      await assert.rejects(fetchText(`${app.url}/`, { timeoutMs: 500 }), /timeout after 500 ms/)
      await waitForOutput(app, /analytics call failed/)
    } finally {
      await app.stop()
    }
  })
})
