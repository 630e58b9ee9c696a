/**
 * No way around the sidecar: a direct connection to a sidecar pod's private app address (127.245.x.y) is
 * refused while the same request through its sidecar (the pod IP) is served; the rules go away with
 * `weir up`. Where isolation is impossible (not root, no nft), `weir up` says so in one warning.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { BLOCK, sameIndex } from '../../src/runtime/net/addresses.ts'
import { findProgram } from '../../src/runtime/process/binaries.ts'
import { FIXTURE_CATALOG, getText, tempState, waitFor } from './helpers.ts'
import { allReady, listPods, startUpProcess } from './up-process.ts'

const MESH_MANIFEST = fileURLToPath(new URL('./fixtures/echo-mesh.yaml', import.meta.url))
const nft = findProgram('nft')
const possible = process.getuid?.() === 0 && nft !== undefined && process.env.WEIR_ISOLATION !== 'off'

/** Opens a TCP connection: 'connected' or the error code. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    const timer = setTimeout(() => {
      s.destroy()
      resolve('timeout')
    }, 5000)
    s.on('connect', () => {
      clearTimeout(timer)
      s.destroy()
      resolve('connected')
    })
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve(err.code ?? err.message)
    })
  })
}

const tables = (): string =>
  nft ? (spawnSync(nft, ['list', 'tables', 'ip'], { encoding: 'utf8' }).stdout ?? '') : ''

test('a sidecar pod app is reachable only through its sidecar', { timeout: 60_000 }, async () => {
  const state = await tempState()
  const up = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG, MESH_MANIFEST])
  const pid = up.child.pid ?? 0
  try {
    const pods = await waitFor('2 pods ready with their sidecars', async () => {
      const p = await listPods(state, up.apiUrl, 'mesh')
      return p.length === 2 && allReady(p) && p.every((x) => x.status?.containerStatuses?.length === 2) && p
    })
    const podIP = pods[0]?.status?.podIP ?? ''
    const appAddress = sameIndex(podIP, BLOCK.pod, BLOCK.app) ?? ''
    // Through the sidecar: served (the pod is PERMISSIVE, so plaintext is fine).
    const body = await waitFor('echo through the sidecar', () => getText(`http://${podIP}:8080/`))
    assert.match(body, /^echo-\S+ hello$/)
    if (!possible) {
      assert.match(up.output(), /warning: apps of sidecar pods are reachable directly on 127\.245\.x\.y/)
      return
    }
    // Straight at the app: refused, for this process (root, not weir's gid).
    assert.equal(await tryConnect(appAddress, 8080), 'ECONNREFUSED')
    assert.equal(await getText(`http://${appAddress}:8080/`), undefined)
    assert.match(tables(), new RegExp(`table ip weir_iso_${pid}_`))
  } finally {
    assert.equal(await up.stop('SIGINT'), 0)
  }
  if (possible)
    assert.doesNotMatch(tables(), new RegExp(`table ip weir_iso_${pid}_`), 'table left after exit')
})

test('a table left by a killed weir up is removed by the next one', {
  skip: !possible,
  timeout: 60_000,
}, async () => {
  const state = await tempState()
  const first = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG, MESH_MANIFEST])
  const pid = first.child.pid ?? 0
  try {
    await waitFor('the isolation table', () => new RegExp(`table ip weir_iso_${pid}_`).test(tables()))
  } finally {
    await first.stop('SIGKILL')
  }
  assert.match(tables(), new RegExp(`table ip weir_iso_${pid}_`))
  const second = await startUpProcess(state, ['--catalog', FIXTURE_CATALOG])
  try {
    assert.doesNotMatch(tables(), new RegExp(`table ip weir_iso_${pid}_`))
    const pods = await waitFor('the pods back, ready', async () => {
      const p = await listPods(state, second.apiUrl, 'mesh')
      return p.length === 2 && allReady(p) && p
    })
    const podIP = pods[0]?.status?.podIP ?? ''
    assert.match(
      (await waitFor('echo through the sidecar', () => getText(`http://${podIP}:8080/`))) ?? '',
      /^echo-/,
    )
    assert.equal(await tryConnect(sameIndex(podIP, BLOCK.pod, BLOCK.app) ?? '', 8080), 'ECONNREFUSED')
  } finally {
    assert.equal(await second.stop('SIGINT'), 0)
  }
})
