/** `weir up` as a process: Ctrl-C leaves nothing behind; after kill -9 the next run brings the same pods back. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { alive, FIXTURE_CATALOG, getText, run, tempState, waitFor } from './helpers.ts'
import { allReady, listPods, recordedPids, startUpProcess, WEIR_BIN } from './up-process.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/echo.yaml', import.meta.url))
/** Pids of the grandchildren the echo pods started (they print `child <pid>`). */
function grandchildren(state: string): number[] {
  const out: number[] = []
  const dir = join(state, 'logs', 'demo')
  for (const pod of readdirSync(dir)) {
    const log = readFileSync(join(dir, pod, 'echo.log'), 'utf8')
    for (const m of log.matchAll(/^child (\d+)$/gm)) out.push(Number(m[1]))
  }
  return out
}

const MESH_MANIFEST = fileURLToPath(new URL('./fixtures/echo-mesh.yaml', import.meta.url))

test('Ctrl-C stops every process weir up started', async () => {
  const state = await tempState()
  const up = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG, MANIFEST])
  try {
    const pods = await waitFor('2 ready pods', async () => {
      const p = await listPods(state, up.apiUrl, 'demo')
      return p.length === 2 && allReady(p) && p
    })
    assert.match((await getText(`http://${pods[0]?.status?.podIP}:8080/`)) ?? '', /^echo-/)
    const pids = recordedPids(state)
    assert.equal(pids.length, 2)
    const children = await waitFor(
      'the grandchildren',
      () => grandchildren(state).length === 2 && grandchildren(state),
    )
    assert.equal(await up.stop('SIGINT'), 0)
    for (const pid of [...pids, ...children])
      assert.equal(alive(pid), false, `pid ${pid} still alive after Ctrl-C`)
  } finally {
    up.child.kill('SIGKILL')
  }
})

test('kill -9 of weir up, then weir up on the same state: the same pods come back, nothing of the old run is left', async () => {
  const state = await tempState()
  const first = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG, MANIFEST])
  let second: Awaited<ReturnType<typeof startUpProcess>> | undefined
  try {
    const before = await waitFor('2 ready pods', async () => {
      const p = await listPods(state, first.apiUrl, 'demo')
      return p.length === 2 && allReady(p) && p
    })
    const oldPids = recordedPids(state)
    assert.equal(oldPids.length, 2)
    const children = await waitFor(
      'the grandchildren',
      () => grandchildren(state).length === 2 && grandchildren(state),
    )
    await first.stop('SIGKILL')
    // The apps die with weir up; their own children outlive it until the next weir up on this state.
    for (const pid of children) assert.equal(alive(pid), true, `grandchild ${pid} should outlive a kill -9`)
    second = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG])
    for (const pid of [...oldPids, ...children]) {
      assert.equal(alive(pid), false, `pid ${pid} of the killed run is still alive`)
    }
    const api = second.apiUrl
    const after = await waitFor('the same 2 pods ready again', async () => {
      const p = await listPods(state, api, 'demo')
      return p.length === 2 && allReady(p) && p
    })
    assert.deepEqual(after.map((p) => p.metadata.name).sort(), before.map((p) => p.metadata.name).sort())
    const body = await getText(`http://${after[0]?.status?.podIP}:8080/`)
    assert.match(body ?? '', /^echo-/)
    assert.equal(await second.stop('SIGTERM'), 0)
  } finally {
    first.child.kill('SIGKILL')
    second?.child.kill('SIGKILL')
  }
})

test('pods with sidecars: 2/2, service names through the sidecar, --host-alias passthrough, REGISTRY_ONLY 502', async () => {
  const state = await tempState()
  const external = createServer((req, res) => res.end(`external ${req.headers.host}`))
  await new Promise<void>((r) => external.listen(0, '127.0.0.1', () => r()))
  const port = (external.address() as AddressInfo).port
  const up = await startUpProcess(state, [
    '--catalog',
    FIXTURE_CATALOG,
    '--host-alias',
    `external.example.com=127.0.0.1:${port}`,
    MESH_MANIFEST,
  ])
  const weir = (...args: string[]) =>
    run([process.execPath, WEIR_BIN, ...args], { env: { ...process.env, WEIR_STATE: state } })
  try {
    const pods = await waitFor('2 pods ready with their sidecars', async () => {
      const p = await listPods(state, up.apiUrl, 'mesh')
      return p.length === 2 && allReady(p) && p.every((x) => x.status?.containerStatuses?.length === 2) && p
    })
    const pod = pods[0]?.metadata.name ?? ''
    const viaService = await waitFor('echo through the sidecar', async () => {
      const r = await weir('exec', pod, '-n', 'mesh', '--', 'curl', '-s', '-m', '5', 'http://echo/')
      return r.status === 0 && /^echo-/.test(r.stdout) && r
    })
    assert.match(viaService.stdout, /^echo-\S+ hello$/)
    const ext = await weir(
      'exec',
      pod,
      '-n',
      'mesh',
      '--',
      'curl',
      '-s',
      '-m',
      '5',
      'http://external.example.com/',
    )
    assert.equal(ext.stdout, 'external external.example.com')
    // REGISTRY_ONLY: the sidecar refuses hosts outside the registry with 502.
    const token = readFileSync(join(state, 'token'), 'utf8').trim()
    const cmPath = `${up.apiUrl}/api/v1/namespaces/istio-system/configmaps/istio`
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const cm = (await (await fetch(cmPath, { headers })).json()) as { data: { mesh: string } }
    cm.data.mesh = cm.data.mesh.replace('mode: ALLOW_ANY', 'mode: REGISTRY_ONLY')
    assert.equal((await fetch(cmPath, { method: 'PUT', headers, body: JSON.stringify(cm) })).status, 200)
    await waitFor('502 for an unknown host', async () => {
      const r = await weir(
        'exec',
        pod,
        '-n',
        'mesh',
        '--',
        'curl',
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-m',
        '5',
        'http://external.example.com/',
      )
      return r.stdout === '502'
    })
  } finally {
    await up.stop('SIGINT')
    external.close()
  }
})

test('a gateway port in use is a clear error, and nothing is left running', async () => {
  const state = await tempState()
  const busy = createServer()
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()))
  const port = (busy.address() as AddressInfo).port
  try {
    const r = await run([process.execPath, WEIR_BIN, 'up', '--gateway-port', String(port), '--state', state])
    assert.equal(r.status, 1)
    assert.match(r.stderr, new RegExp(`gateway port ${port} is in use`))
  } finally {
    busy.close()
  }
})
