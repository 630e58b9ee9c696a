/** Flask frontend/backend, helloworld, httpbin (both flavours) and the fortio load client, as users see them. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fetchText } from '../../samples/lib/fetch.ts'
import { type App, freePort, runApp, startApp } from './support.ts'

const running: App[] = []
after(async () => {
  await Promise.all(running.map((a) => a.stop()))
})
async function start(app: string, env: Record<string, string> = {}, args: string[] = []): Promise<App> {
  const a = await startApp(app, env, { args })
  running.push(a)
  return a
}

describe('flask frontend and backend', () => {
  let backend: App
  let v1: App
  let v2: App
  before(async () => {
    backend = await start('flask-backend')
    const env = { SERVICE_X: '127.0.0.1', SERVICE_X_PORT: String(backend.port) }
    v1 = await start('flask-frontend', { ...env, FRONTEND_VERSION: 'v1' })
    v2 = await start('flask-frontend', { ...env, FRONTEND_VERSION: 'v2' })
  })

  it('shows the version marker on / and /home', async () => {
    const a = await fetchText(`${v1.url}/home`)
    assert.equal(a.status, 200)
    assert.match(a.body, /Microservice Testing/)
    assert.match(a.body, /This Micro Website is for Istio testing</)
    const b = await fetchText(`${v2.url}/`)
    assert.match(b.body, /This Micro Website is for Istio testing v2</)
  })

  it('/list renders the books and the cars tables from the backend', async () => {
    const r = await fetchText(`${v1.url}/list`)
    assert.equal(r.status, 200)
    assert.match(r.body, /This section fetches data from books backend webservices/)
    assert.match(r.body, /<td>A Fire Upon the Deep<\/td><td>Vernor Vinge<\/td><td>1992<\/td>/)
    assert.match(r.body, /This section fetches data from cars backend webservices/)
    assert.match(r.body, /<td>1<\/td><td>Tipsy<\/td><td>BMW<\/td><td>Red<\/td><td>2022<\/td>/)
  })

  it('/list answers 200 with the error sentence when the backend is unreachable', async () => {
    const broken = await start('flask-frontend', {
      SERVICE_X: '127.0.0.1',
      SERVICE_X_PORT: String(await freePort()),
    })
    const r = await fetchText(`${broken.url}/list`)
    assert.equal(r.status, 200)
    assert.equal(r.body, 'Somethig is wrong. You should check backend Microservice call!')
  })

  it('backend: the books and users lists, one book by id, and the missing-id error', async () => {
    const books = JSON.parse((await fetchText(`${backend.url}/api/v1/resources/books/all`)).body) as {
      title: string
    }[]
    assert.deepEqual(
      books.map((b) => b.title),
      ['A Fire Upon the Deep', 'The Ones Who Walk Away From Omelas', 'Dhalgren'],
    )
    const users = JSON.parse((await fetchText(`${backend.url}/api/v1/resources/users/all`)).body) as {
      name: string
    }[]
    assert.deepEqual(
      users.map((u) => u.name),
      ['Arun', 'Tipsy', 'Sam'],
    )
    const one = JSON.parse((await fetchText(`${backend.url}/api/v1/resources/books?id=2`)).body) as {
      author: string
    }[]
    assert.deepEqual(
      one.map((b) => b.author),
      ['Samuel R. Delany'],
    )
    const none = await fetchText(`${backend.url}/api/v1/resources/books`)
    assert.equal(none.body, 'Error: No id field provided. Please specify an id.')
    assert.equal((await fetchText(`${v1.url}/nope`)).status, 404)
  })
})

describe('helloworld', () => {
  it('answers /hello with its version and pod name, and /health', async () => {
    const a = await start('helloworld', { SERVICE_VERSION: 'v2', HOSTNAME: 'helloworld-v2-7d9d5b7b7-k2xq4' })
    const r = await fetchText(`${a.url}/hello`)
    assert.equal(r.body, 'Hello version: v2, instance: helloworld-v2-7d9d5b7b7-k2xq4\n')
    assert.equal((await fetchText(`${a.url}/health`)).body, 'Helloworld is healthy')
    assert.equal((await fetchText(`${a.url}/other`)).status, 404)
  })
})

describe('httpbin', () => {
  let go: App
  let py: App
  before(async () => {
    go = await start('httpbin', { HTTPBIN_FLAVOR: 'go' })
    py = await start('httpbin', { HTTPBIN_FLAVOR: 'python' })
  })

  it('/headers: arrays in go-httpbin, strings in the python flavour (httpbin.org)', async () => {
    const h = { 'x-envoy-decorator-operation': 'httpbin.org:80/*' }
    const g = JSON.parse((await fetchText(`${go.url}/headers`, { headers: h })).body) as {
      headers: Record<string, unknown>
    }
    assert.deepEqual(g.headers['X-Envoy-Decorator-Operation'], ['httpbin.org:80/*'])
    const p = await fetchText(`${py.url}/headers`, { headers: h })
    assert.match(p.body, /"X-Envoy-Decorator-Operation": "httpbin.org:80\/\*"/)
  })

  it('/get, /ip, /html, /anything', async () => {
    const g = JSON.parse((await fetchText(`${go.url}/get?a=1`)).body) as Record<string, unknown>
    assert.deepEqual(g.args, { a: ['1'] })
    assert.equal(g.method, 'GET')
    assert.match(String(g.url), /\/get\?a=1$/)
    const ip = JSON.parse((await fetchText(`${py.url}/ip`)).body) as { origin: string }
    assert.equal(ip.origin, '127.0.0.1')
    const html = await fetchText(`${go.url}/html`)
    assert.match(html.body, /<h1>Herman Melville - Moby-Dick<\/h1>/)
    const any = await fetchText(`${go.url}/anything/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"k":"v"}',
    })
    const body = JSON.parse(any.body) as Record<string, unknown>
    assert.equal(body.method, 'POST')
    assert.deepEqual(body.json, { k: 'v' })
  })

  it('/status/N answers N; /delay/N answers after the delay', async () => {
    assert.equal((await fetchText(`${go.url}/status/500`)).status, 500)
    assert.equal((await fetchText(`${go.url}/status/418`)).status, 418)
    assert.equal((await fetchText(`${go.url}/status/abc`)).status, 400)
    const d = await fetchText(`${go.url}/delay/0.1`)
    assert.equal(d.status, 200)
    assert.match(d.body, /"url": "http:\/\/127\.0\.0\.1:\d+\/delay\/0\.1"/)
  })

  it('fortio load counts status codes; -curl prints the response', async () => {
    const load = await runApp('fortio', [
      'load',
      '-c',
      '2',
      '-qps',
      '0',
      '-n',
      '10',
      '-loglevel',
      'Warning',
      `${go.url}/get`,
    ])
    assert.equal(load.code, 0, load.stderr)
    assert.match(load.stdout, /^Code 200 : 10 \(100\.0 %\)$/m)
    const fail = await runApp('fortio', ['load', '-c', '1', '-n', '4', `${go.url}/status/503`])
    assert.match(fail.stdout, /^Code 503 : 4 \(100\.0 %\)$/m)
    const curl = await runApp('fortio', ['load', '-curl', `${go.url}/get`])
    assert.match(curl.stdout, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(curl.stdout, /"method": "GET"/)
    const usage = await runApp('fortio', ['load'])
    assert.equal(usage.code, 64)
  })
})

describe('online boutique frontend', () => {
  it('serves the home page and the health check its probes use', async () => {
    const a = await start('boutique-frontend')
    const home = await fetchText(`${a.url}/`)
    assert.equal(home.status, 200)
    assert.match(home.body, /<title>Online Boutique<\/title>/)
    const h = await fetchText(`${a.url}/_healthz`, {
      headers: { cookie: 'shop_session-id=x-readiness-probe' },
    })
    assert.equal(h.body, 'ok')
    assert.equal((await fetchText(`${a.url}/nope`)).status, 404)
  })
})
