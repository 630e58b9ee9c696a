import assert from 'node:assert/strict'
import { connect, createServer, type Server } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { TcpListener } from '../../proxyconfig/types.ts'
import type { ProxyHandle } from '../proxy.ts'
import { cluster, endpoint, httpConfig, send, startTestProxy } from '../test-support.ts'

function echoServer(prefix: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => {
      s.on('data', (d) => s.write(`${prefix}:${d}`))
      s.on('end', () => s.end())
      s.on('error', () => {})
    })
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 })
    })
  })
}

/** Sends `text`, half-closes, reads until close; resolves what was read. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.on('data', (d) => {
      out += d
    })
    s.on('close', () => resolve(out))
    s.on('error', () => resolve(out))
    s.setTimeout(3000, () => s.destroy())
    s.end(text)
  })
}

describe('TCP listeners', () => {
  let echoA: { server: Server; port: number }
  let echoB: { server: Server; port: number }
  let proxy: ProxyHandle
  before(async () => {
    echoA = await echoServer('a')
    echoB = await echoServer('b')
    const tcp = (name: string, defaultCluster: string, routes: TcpListener['routes'] = []): TcpListener => ({
      name,
      direction: 'outbound',
      address: '10.96.0.12',
      port: 0,
      protocol: 'tcp',
      routes,
      defaultCluster,
      service: { host: 'redis.default.svc.cluster.local', name: 'redis', namespace: 'default' },
    })
    proxy = await startTestProxy(
      httpConfig(
        [],
        [
          cluster('a', [endpoint(echoA.port)]),
          cluster('b', [endpoint(echoB.port)]),
          cluster('BlackHoleCluster', [], { type: 'blackhole' }),
        ],
        {
          tcp: [
            tcp('default', 'a'),
            tcp('routed', 'a', [
              { match: { destinationSubnets: ['10.96.0.0/16'] }, backends: [{ cluster: 'b', weight: 1 }] },
            ]),
            tcp('unrouted', 'a', [
              { match: { destinationSubnets: ['192.168.0.0/16'] }, backends: [{ cluster: 'b', weight: 1 }] },
            ]),
            tcp('blackhole', 'BlackHoleCluster'),
          ],
        },
      ),
    )
  })
  after(async () => {
    await proxy.close()
    echoA.server.close()
    echoB.server.close()
  })

  it('proxies to the default cluster, or the first matching route', async () => {
    const addr = proxy.addresses()
    assert.equal(await exchange(addr.default!.port, 'ping'), 'a:ping')
    assert.equal(await exchange(addr.routed!.port, 'ping'), 'b:ping')
    assert.equal(await exchange(addr.unrouted!.port, 'ping'), 'a:ping')
  })

  it('BlackHoleCluster closes the connection', async () => {
    assert.equal(await exchange(proxy.addresses().blackhole!.port, 'ping'), '')
  })

  it('counts TCP bytes and connections with Istio labels', async () => {
    await exchange(proxy.addresses().default!.port, 'hello')
    for (let i = 0; i < 50; i++) {
      const text = (await send(proxy.adminAddress().port, { path: '/stats/prometheus' })).body
      if (
        /istio_tcp_connections_closed_total\{reporter="source".*destination_service="redis.default.svc.cluster.local".*request_protocol="tcp",response_flags="-",connection_security_policy="unknown"\} [1-9]/.test(
          text,
        )
      ) {
        assert.match(
          text,
          /istio_tcp_received_bytes_total\{[^}]*destination_service_name="redis"[^}]*\} [1-9]/,
        )
        assert.match(text, /istio_tcp_sent_bytes_total\{[^}]*\} [1-9]/)
        assert.match(
          text,
          /istio_tcp_connections_opened_total\{[^}]*destination_service_name="BlackHoleCluster"[^}]*response_flags="UH"/,
        )
        return
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    assert.fail('tcp metrics never appeared')
  })
})
