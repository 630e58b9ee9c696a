/** Readiness probes as the kubelet runs them, against real servers; the sandbox as root and as a normal user. */
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createH2Server } from 'node:http2'
import { type AddressInfo, createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sandboxArgv } from '../../src/runtime/net/sandbox.ts'
import { execCheck, runProbe } from '../../src/runtime/probe.ts'
import { findProgram } from '../../src/runtime/process/binaries.ts'
import { run } from './helpers.ts'

const listen = async (s: {
  listen: (port: number, host: string, cb: () => void) => unknown
  address: () => unknown
}) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  return (s.address() as AddressInfo).port
}

test('httpGet: 2xx/3xx ready, other codes not; headers and named ports', async () => {
  const srv = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' && req.headers['x-probe'] === 'yes' ? 200 : 503
    res.end()
  })
  const port = await listen(srv)
  try {
    const container = { name: 'c', ports: [{ containerPort: port, name: 'http' }] }
    const target = { host: '127.0.0.1', container, defaultPort: port }
    assert.equal(
      await runProbe(target, {
        httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'x-probe', value: 'yes' }] },
      }),
      true,
    )
    assert.equal(await runProbe(target, { httpGet: { path: '/healthz', port } }), false)
    assert.equal(await runProbe(target, { httpGet: { path: '/', port: 'nope' } }), false)
  } finally {
    srv.close()
  }
})

test('tcpSocket and the default check (the container port accepts)', async () => {
  const srv = createTcpServer((s) => s.end())
  const port = await listen(srv)
  const container = { name: 'c' }
  assert.equal(
    await runProbe({ host: '127.0.0.1', container, defaultPort: port }, { tcpSocket: { port } }),
    true,
  )
  assert.equal(await runProbe({ host: '127.0.0.1', container, defaultPort: port }, undefined), true)
  srv.close()
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(await runProbe({ host: '127.0.0.1', container, defaultPort: port }, undefined), false)
})

test('grpc: grpc.health.v1 SERVING is ready, NOT_SERVING is not', async () => {
  let status = 1
  const srv = createH2Server()
  srv.on('stream', (stream, headers) => {
    assert.equal(headers[':path'], '/grpc.health.v1.Health/Check')
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
    stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, status]))
  })
  const port = await listen(srv)
  try {
    const target = { host: '127.0.0.1', container: { name: 'c' }, defaultPort: undefined }
    assert.equal(await runProbe(target, { grpc: { port } }), true)
    status = 2
    assert.equal(await runProbe(target, { grpc: { port } }), false)
  } finally {
    srv.close()
  }
})

test('exec: exit 0 is ready', async () => {
  const target = {
    host: '127.0.0.1',
    container: { name: 'c' },
    defaultPort: undefined,
    exec: (cmd: readonly string[], t: number) => execCheck(cmd, { PATH: process.env.PATH ?? '' }, t),
  }
  assert.equal(await runProbe(target, { exec: { command: ['sh', '-c', 'exit 0'] } }), true)
  assert.equal(await runProbe(target, { exec: { command: ['sh', '-c', 'exit 1'] } }), false)
})

const canSwitchUser =
  process.getuid?.() === 0 && findProgram('setpriv') !== undefined && findProgram('unshare') !== undefined

test('a pod hosts file through a user namespace, as a normal user (nobody)', {
  skip: !canSwitchUser,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-sandbox-'))
  chmodSync(dir, 0o755)
  const hosts = join(dir, 'hosts')
  writeFileSync(hosts, '127.96.0.7\tvoting-storage voting-storage.voting\n', { mode: 0o644 })
  const argv = sandboxArgv({ kind: 'user' }, hosts, ['getent', 'hosts', 'voting-storage.voting'])
  const r = await run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...argv])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^127\.96\.0\.7\s+voting-storage/)
  const root = await run(sandboxArgv({ kind: 'root' }, hosts, ['getent', 'hosts', 'voting-storage']))
  assert.equal(root.status, 0, root.stderr)
})
