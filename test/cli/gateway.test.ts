import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

const WEIR = new URL('../../bin/weir.js', import.meta.url).pathname

const config = (upstreamPort: number, routeRule: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: backend
spec:
  hosts: [backend.internal]
  location: MESH_INTERNAL
  ports:
  - {number: 80, name: http, protocol: HTTP}
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {http: ${upstreamPort}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: edge
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [app.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: app
spec:
  hosts: [app.example.com]
  gateways: [edge]
  http:
${routeRule}
`

const forward = `  - match:
    - uri: {prefix: /api}
    route:
    - destination: {host: backend.internal, port: {number: 80}}
`

/** Waits (bounded) until the text collected so far matches. */
async function waitFor(text: () => string, re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms
  for (;;) {
    const m = text().match(re)
    if (m) return m
    if (Date.now() > deadline) throw new Error(`no ${re} in: ${text()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('weir gateway -f DIR --port N (standalone edge proxy)', () => {
  let dir: string
  let upstream: Server
  let upstreamPort: number
  let gw: ChildProcess
  let base: string
  let stderr = ''
  let stdout = ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-gw-'))
    upstream = createServer((req, res) => res.end(`upstream saw ${req.url} host=${req.headers.host}`))
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
    upstreamPort = (upstream.address() as AddressInfo).port
    await writeFile(join(dir, 'edge.yaml'), config(upstreamPort, forward))
    gw = spawn(process.execPath, [WEIR, 'gateway', '-f', dir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    gw.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    gw.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    const m = await waitFor(() => stdout, /listener \S+ on (http:\/\/127\.0\.0\.1:\d+)/)
    base = m[1] as string
    await waitFor(() => stdout, /ready/)
  })
  after(async () => {
    gw?.kill('SIGTERM')
    upstream?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** GET with a Host header (fetch does not let a caller set Host). */
  const get = (path: string, host: string): Promise<{ status: number; text: () => Promise<string> }> =>
    new Promise((resolve, reject) => {
      const req = request(`${base}${path}`, { headers: { host } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: async () => body }))
      })
      req.on('error', reject)
      req.end()
    })

  it('routes by Host and URI prefix to the ServiceEntry endpoint', async () => {
    const res = await get('/api/items', 'app.example.com')
    assert.equal(res.status, 200)
    assert.match(await res.text(), /^upstream saw \/api\/items/)
  })

  it('answers 404 to another Host or a path no rule matches', async () => {
    assert.equal((await get('/api/items', 'other.example.com')).status, 404)
    assert.equal((await get('/static', 'app.example.com')).status, 404)
  })

  it('refuses a broken config on reload and keeps serving the last good one', async () => {
    const broken = `  - route:\n    - destination: {host: backend.internal}\n      weight: -1\n    - destination: {host: backend.internal}\n      weight: 1\n`
    await writeFile(join(dir, 'edge.yaml'), config(upstreamPort, broken))
    gw.kill('SIGHUP')
    const deadline = Date.now() + 10_000
    while (!/config refused/.test(stderr) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    assert.match(stderr, /config refused, still serving the last good one/)
    await waitFor(() => stderr, /edge\.yaml:\d+:\d+ spec\.http\[0\]\.route\[0\]\.weight/)
    assert.equal((await get('/api/still', 'app.example.com')).status, 200)
  })

  it('applies a good config on reload', async () => {
    const respond = `  - directResponse:\n      status: 418\n      body: {string: "short and stout"}\n`
    await writeFile(join(dir, 'edge.yaml'), config(upstreamPort, respond))
    gw.kill('SIGHUP')
    await waitFor(() => stdout, /config \w+ applied/)
    const res = await get('/anything', 'app.example.com')
    assert.equal(res.status, 418)
    assert.equal(await res.text(), 'short and stout')
  })
})
