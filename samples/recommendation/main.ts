/**
 * @module samples/recommendation/main — stand-in for Online Boutique's `recommendationservice` (gRPC over
 * cleartext HTTP/2 on `PORT`, 8080). `hipstershop.RecommendationService/ListRecommendations({user_id,
 * product_ids})` returns up to 5 random ids of the fixed catalogue that were not asked about;
 * `grpc.health.v1.Health/Check` answers SERVING (the pod's gRPC probes use it). Refuses to start when
 * `PRODUCT_CATALOG_SERVICE_ADDR` is empty, as the original does.
 */
import { createServer, type ServerHttp2Stream } from 'node:http2'
import { decodeMessage, encodeMessage, grpcFrame, grpcUnframe, strings } from '../lib/protobuf.ts'
import { exitOnSignals, listenHost, listenPort } from '../lib/serve.ts'

/** The product ids of the Online Boutique catalogue. */
export const PRODUCT_IDS = [
  'OLJCESPC7Z',
  '66VCHSJNUP',
  '1YMWWN1N4O',
  'L9ECAV7KIM',
  '2ZYFJ3GM2N',
  '0PUK6V6EV0',
  'LS4PSXUNUM',
  '9SIQT8TOJO',
  '6E92ZMYYFZ',
]

const SERVING = 1
const GRPC = { OK: 0, INVALID_ARGUMENT: 3, UNIMPLEMENTED: 12 }

if (!process.env.PRODUCT_CATALOG_SERVICE_ADDR) {
  process.stderr.write('PRODUCT_CATALOG_SERVICE_ADDR environment variable not set\n')
  process.exit(1)
}

function recommend(asked: readonly string[]): string[] {
  const rest = PRODUCT_IDS.filter((id) => !asked.includes(id))
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[rest[i], rest[j]] = [rest[j]!, rest[i]!]
  }
  return rest.slice(0, 5)
}

function reply(stream: ServerHttp2Stream, status: number, message?: Buffer, text = ''): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
  stream.on('wantTrailers', () => {
    stream.sendTrailers({
      'grpc-status': String(status),
      ...(text ? { 'grpc-message': encodeURIComponent(text) } : {}),
    })
  })
  stream.end(message ? grpcFrame(message) : undefined)
}

function handle(path: string, body: Buffer, stream: ServerHttp2Stream): void {
  let request: Buffer
  try {
    request = grpcUnframe(body)[0] ?? Buffer.alloc(0)
    if (path === '/grpc.health.v1.Health/Check') {
      decodeMessage(request)
      reply(stream, GRPC.OK, encodeMessage([{ num: 1, varint: SERVING }]))
      return
    }
    if (path === '/hipstershop.RecommendationService/ListRecommendations') {
      const asked = strings(decodeMessage(request), 2)
      const ids = recommend(asked)
      process.stdout.write(`[Recv ListRecommendations] product_ids=${JSON.stringify(ids)}\n`)
      reply(stream, GRPC.OK, encodeMessage(ids.map((id) => ({ num: 1, string: id }))))
      return
    }
  } catch (err) {
    reply(stream, GRPC.INVALID_ARGUMENT, undefined, (err as Error).message)
    return
  }
  reply(stream, GRPC.UNIMPLEMENTED, undefined, `unknown method ${path}`)
}

const server = createServer()
server.on('stream', (stream, headers) => {
  const path = String(headers[':path'] ?? '')
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  stream.on('end', () => handle(path, Buffer.concat(chunks), stream))
  stream.on('error', () => {})
})
const port = listenPort(8080)
const host = listenHost()
server.on('error', (err) => {
  process.stderr.write(`recommendationservice: cannot listen on ${host}:${port}: ${err.message}\n`)
  process.exit(1)
})
server.listen(port, host, () => {
  const addr = server.address()
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port
  process.stdout.write(`recommendationservice listening on grpc://${host}:${bound}\n`)
})
exitOnSignals(() => server.close())
