/**
 * Online Boutique on Istio (scenarios.md §4) with `weir` in place of kubectl: the recommendation service
 * (gRPC) runs with its sidecar, its gRPC readiness probe makes it Ready, and a gRPC call from another pod of
 * the mesh reaches it through the sidecars. Files from `examples/online-boutique/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { example, type Mesh, ROOT, startMesh } from './mesh.ts'

let mesh: Mesh | undefined
let tmp = ''
let client = ''

/** A gRPC client run inside a pod: one unary call over node:http2, printed as one JSON line. */
const CLIENT = `
import { connect } from 'node:http2'
import { decodeMessage, encodeMessage, grpcFrame, grpcUnframe, strings } from ${JSON.stringify(
  pathToFileURL(join(ROOT, 'samples/lib/protobuf.ts')).href,
)}

const [path, ...productIds] = process.argv.slice(2)
const message = path.startsWith('/grpc.health')
  ? encodeMessage([])
  : encodeMessage([{ num: 1, string: 'user-1' }, ...productIds.map((id) => ({ num: 2, string: id }))])
const session = connect('http://recommendationservice:8080')
session.on('error', (err) => { console.log(JSON.stringify({ error: String(err) })); process.exit(1) })
const framed = grpcFrame(message)
// No content-length, as real gRPC clients send it: the body is framed by HTTP/2 alone.
const req = session.request({
  ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
})
const chunks = []
let headers = {}
let status = ''
req.setTimeout(10000, () => req.close())
req.on('response', (h) => { headers = h; if (h['grpc-status'] !== undefined) status = String(h['grpc-status']) })
req.on('trailers', (t) => { status = String(t['grpc-status']) })
req.on('data', (c) => chunks.push(c))
req.on('end', () => {
  session.close()
  const first = grpcUnframe(Buffer.concat(chunks))[0] ?? Buffer.alloc(0)
  const d = decodeMessage(first)
  console.log(JSON.stringify({
    status, httpStatus: headers[':status'], server: headers.server ?? null,
    ids: strings(d, 1), serving: d.varints.get(1) ?? [],
  }))
})
req.on('error', (err) => { console.log(JSON.stringify({ error: String(err) })); process.exit(1) })
req.end(framed)
`

interface Reply {
  status: string
  httpStatus: number
  server: string | null
  ids: string[]
  serving: number[]
}

/** Runs the gRPC client in the frontend pod; its one JSON line. */
async function call(path: string, ...productIds: string[]): Promise<Reply> {
  const script = join(tmp, 'grpc-client.ts')
  const args = [path, ...productIds].map((a) => `'${a}'`).join(' ')
  const r = await mesh?.exec(client, 'server', `'${process.execPath}' '${script}' ${args}`, 30_000)
  const line = r?.stdout.trim().split('\n').pop() ?? ''
  assert.ok(line.startsWith('{'), `client printed: ${r?.stdout} ${r?.stderr}`)
  const out = JSON.parse(line) as Reply & { error?: string }
  assert.equal(out.error, undefined)
  return out
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'weir-e2e-boutique-'))
  await writeFile(join(tmp, 'grpc-client.ts'), CLIENT)
  mesh = await startMesh(
    [
      example('online-boutique/weir/namespace-default.yaml'),
      example('online-boutique/kubernetes-manifests/recommendationservice.yaml'),
      example('online-boutique/weir/frontend.yaml'),
    ],
    2,
  )
  client = await mesh.pod('frontend')
  assert.ok(client)
})

after(async () => {
  await mesh?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

test('the recommendation service is Ready 2/2 through its gRPC readiness probe', async () => {
  const rows = (await mesh?.weir('get', 'pods', '-l', 'app=recommendationservice', '--no-headers')) ?? ''
  assert.match(rows, /^recommendationservice-\S+ +2\/2 +Running /m)
})

test('a gRPC call from the frontend pod reaches the recommendation service through the mesh', {
  timeout: 60_000,
}, async () => {
  const health = await call('/grpc.health.v1.Health/Check')
  assert.equal(health.status, '0')
  assert.deepEqual(health.serving, [1]) // SERVING

  const asked = ['OLJCESPC7Z', '66VCHSJNUP']
  const r = await call('/hipstershop.RecommendationService/ListRecommendations', ...asked)
  assert.equal(r.status, '0')
  assert.equal(r.httpStatus, 200)
  // The answer came through the client's outbound sidecar (Envoy's server header on the way back).
  assert.equal(r.server, 'envoy')
  assert.equal(r.ids.length, 5)
  assert.equal(new Set(r.ids).size, 5)
  for (const id of r.ids) assert.ok(!asked.includes(id), `${id} was asked about: the request body was lost`)

  const unknown = await call('/hipstershop.RecommendationService/Nope')
  assert.equal(unknown.status, '12') // UNIMPLEMENTED, from the service itself
})
