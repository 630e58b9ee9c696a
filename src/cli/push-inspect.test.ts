/** @module cli/push-inspect.test — `weir proxy-status`, `proxy-config` and `wait` as processes against a push server with real proxies. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type ConfigStream, connectConfigStream } from '../xds/client.ts'
import { createPushServer, type PushServer } from '../xds/server.ts'
import { listenPushServer, type PushListener } from '../xds/standalone.ts'
import { eventually, tinyConfig } from '../xds/testing.ts'

const BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))
const TOKEN = 'inspect-token-0123456789abcdef0123456789'
let state: string
let push: PushServer
let listener: PushListener
let generation = 'v1'
const streams: ConfigStream[] = []

/** Runs `weir …` with WEIR_STATE pointing at the test's state dir. */
function weir(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, WEIR_STATE: state, WEIR_SERVER: '', WEIR_TOKEN: '' }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

before(async () => {
  state = await mkdtemp(join(tmpdir(), 'weir-inspect-'))
  push = createPushServer({ token: TOKEN, debounceMs: 10, configFor: (node) => tinyConfig(node, generation) })
  listener = await listenPushServer(push, { token: TOKEN })
  await writeFile(join(state, 'server.json'), JSON.stringify({ url: listener.url, pid: process.pid }))
  await writeFile(join(state, 'token'), `${TOKEN}\n`, { mode: 0o600 })
  for (const id of ['productpage-v1.default', 'reviews-v1.default', 'ratings-v1.default']) {
    streams.push(
      connectConfigStream({
        url: listener.url,
        token: TOKEN,
        node: { id, proxyVersion: '0.1.0' },
        onConfig: (c) =>
          id === 'ratings-v1.default' && JSON.stringify(c).includes('|broken|')
            ? { ok: false, error: 'unknown cluster' }
            : { ok: true },
      }),
    )
  }
  await eventually('three proxies', () => push.status().length === 3)
})

after(async () => {
  for (const s of streams) s.close()
  await listener.close()
  await rm(state, { recursive: true, force: true })
})

test('weir wait returns 0 once every proxy acked; proxy-status shows them SYNCED', async () => {
  const waited = await weir('wait', '--timeout', '10s')
  assert.equal(waited.code, 0, waited.stderr)
  assert.match(waited.stdout, /3 proxies synced/)
  const ps = await weir('proxy-status')
  assert.equal(ps.code, 0, ps.stderr)
  const lines = ps.stdout.trimEnd().split('\n')
  assert.match(lines[0]!, /^NAME\s+CLUSTER\s+CDS\s+LDS\s+EDS\s+RDS\s+ECDS\s+ISTIOD\s+VERSION$/)
  assert.equal(lines.length, 4)
  assert.match(
    lines[1]!,
    /^productpage-v1\.default\s+Kubernetes\s+SYNCED\s+SYNCED\s+SYNCED\s+SYNCED\s+IGNORED\s+weir-controlplane\s+0\.1\.0$/,
  )
})

test('proxy-config prints the config the proxy was sent', async () => {
  const routes = await weir('proxy-config', 'route', 'reviews-v1')
  assert.equal(routes.code, 0, routes.stderr)
  assert.match(
    routes.stdout,
    /^NAME\s+VHOST NAME\s+DOMAINS\s+MATCH\s+VIRTUAL SERVICE\n9080\s+reviews\.default\.svc\.cluster\.local:9080\s/,
  )
  const json = await weir('pc', 'all', 'reviews-v1.default', '-o', 'json')
  assert.equal(JSON.parse(json.stdout).node.id, 'reviews-v1.default')
  const missing = await weir('pc', 'cluster', 'nope.default')
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /not connected/)
  const usage = await weir('pc', 'secrets', 'reviews-v1')
  assert.equal(usage.code, 64)
})

test('after a change one proxy refuses, weir wait exits 1 naming it, and -o json carries the NACK reason', async () => {
  generation = 'broken'
  push.configChanged()
  const waited = await weir('wait', '--timeout', '1500ms')
  assert.equal(waited.code, 1)
  assert.match(waited.stderr, /ratings-v1\.default\s+NACK .*unknown cluster/)
  assert.doesNotMatch(waited.stderr, /productpage/)
  const ps = await weir('proxy-status', '-o', 'json')
  const rows = JSON.parse(ps.stdout) as {
    proxy: string
    state: string
    nack?: { error: { message: string } }
  }[]
  const ratings = rows.find((r) => r.proxy === 'ratings-v1.default')
  assert.equal(ratings?.state, 'NACK')
  assert.equal(ratings?.nack?.error.message, 'unknown cluster')
  assert.equal(rows.find((r) => r.proxy === 'reviews-v1.default')?.state, 'SYNCED')
})

test('without a control plane the commands fail with a clear message', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'weir-none-'))
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [BIN, 'proxy-status', '--state', empty],
      { env: { ...process.env, WEIR_SERVER: '' } },
      (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  )
  await rm(empty, { recursive: true, force: true })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /server\.json not found/)
})
