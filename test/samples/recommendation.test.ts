/** Online Boutique recommendation stand-in: gRPC over h2c, ListRecommendations and the grpc.health.v1 check. */
import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { after, before, describe, it } from 'node:test'
import { decodeMessage, encodeMessage, grpcFrame, grpcUnframe, strings } from '../../samples/lib/protobuf.ts'
import { type App, runApp, startApp } from './support.ts'

const CATALOG = [
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

/** One unary gRPC call; resolves with the response messages and the trailers' grpc-status. */
function unary(port: number, path: string, message: Buffer): Promise<{ messages: Buffer[]; status: string }> {
  return new Promise((resolve, reject) => {
    const client = connect(`http://127.0.0.1:${port}`)
    client.on('error', reject)
    const req = client.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    })
    const chunks: Buffer[] = []
    let status = ''
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status'])
    })
    req.on('trailers', (t) => {
      status = String(t['grpc-status'])
    })
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      client.close()
      resolve({ messages: grpcUnframe(Buffer.concat(chunks)), status })
    })
    req.on('error', reject)
    req.end(grpcFrame(message))
  })
}

describe('recommendationservice', () => {
  let svc: App
  before(async () => {
    svc = await startApp('recommendation', { PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550' })
  })
  after(() => svc?.stop())

  it('answers grpc.health.v1.Health/Check with SERVING', async () => {
    const r = await unary(svc.port, '/grpc.health.v1.Health/Check', encodeMessage([]))
    assert.equal(r.status, '0')
    assert.deepEqual(decodeMessage(r.messages[0] ?? Buffer.alloc(0)).varints.get(1), [1])
  })

  it('recommends up to 5 catalogue products other than the ones asked about', async () => {
    const asked = ['OLJCESPC7Z', '66VCHSJNUP']
    const req = encodeMessage([{ num: 1, string: 'user-1' }, ...asked.map((id) => ({ num: 2, string: id }))])
    for (let i = 0; i < 5; i++) {
      const r = await unary(svc.port, '/hipstershop.RecommendationService/ListRecommendations', req)
      assert.equal(r.status, '0')
      const ids = strings(decodeMessage(r.messages[0] ?? Buffer.alloc(0)), 1)
      assert.equal(ids.length, 5)
      assert.equal(new Set(ids).size, 5)
      for (const id of ids) {
        assert.ok(CATALOG.includes(id), id)
        assert.ok(!asked.includes(id), id)
      }
    }
  })

  it('answers UNIMPLEMENTED (12) for an unknown method', async () => {
    const r = await unary(svc.port, '/hipstershop.RecommendationService/Nope', encodeMessage([]))
    assert.equal(r.status, '12')
  })

  it('refuses to start without PRODUCT_CATALOG_SERVICE_ADDR', async () => {
    const r = await runApp('recommendation', [], { PORT: '0', HOST: '127.0.0.1' })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /PRODUCT_CATALOG_SERVICE_ADDR/)
  })
})

describe('protobuf wire format', () => {
  it('round-trips strings and varints, including multi-byte lengths', () => {
    const long = 'x'.repeat(300)
    const buf = encodeMessage([
      { num: 1, varint: 150 },
      { num: 2, string: long },
      { num: 2, string: 'é' },
    ])
    const d = decodeMessage(buf)
    assert.deepEqual(d.varints.get(1), [150])
    assert.deepEqual(strings(d, 2), [long, 'é'])
    assert.throws(() => decodeMessage(buf.subarray(0, buf.length - 1)))
  })
})
