/**
 * Tomas Kubica's Istio demo (scenarios.md §2), step 7c (2020 text) with `weir` in place of kubectl: the
 * circuit breaker answers 503 without reaching any pod once every pod is ejected, then lets traffic through
 * again. Files from `examples/tkubica/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { curlCodes, example, type Mesh, startMesh, waitFor } from './mesh.ts'

const T = (f: string): string => example(`tkubica/istio/${f}`)
const T2020 = (f: string): string => example(`tkubica/kubernetes-demo-2020/istio/${f}`)
let mesh: Mesh | undefined
let client = ''
let tmp = ''

/** `n` requests by one curl in the client pod. */
const codes = (n: number, url: string, timeoutS = 35): Promise<string[]> =>
  curlCodes(mesh, client, 'client', n, url, timeoutS)

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'weir-e2e-tk-'))
  mesh = await startMesh(
    [example('tkubica/weir/namespace-default.yaml'), T('client.yaml'), T('retryBackend.yaml')],
    4,
  )
  client = await mesh.pod('client')
  assert.ok(client)
})

after(async () => {
  await mesh?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

test('step 7c: the circuit breaker answers 503 without reaching a pod, then lets traffic through again', {
  timeout: 120_000,
}, async () => {
  // circuitBreaker.yaml with baseEjectionTime 1m and interval 10s shortened, so that recovery fits the test;
  // 15 s still outlasts one round of checks on a loaded 2-core machine (each `weir exec` takes seconds there).
  const text = (await readFile(T2020('circuitBreaker.yaml'), 'utf8'))
    .replace('interval: 10s', 'interval: 1s')
    .replace('baseEjectionTime: 1m', 'baseEjectionTime: 15s')
  const file = join(tmp, 'circuitBreaker.yaml')
  await writeFile(file, text)
  await mesh?.weir('apply', '-f', file)
  await mesh?.weir('wait', '--timeout', '20s')
  const served = async (): Promise<number> =>
    ((await mesh?.weir('logs', '-l', 'app=retry', '-c', 'retry-backend')) ?? '').split('mode=busy').length - 1
  // Trip it: the busy backend fails 90 % of the time; every pod is ejected after 2 errors in a row.
  const ejected = await waitFor(
    '503 with all pods ejected',
    async () => {
      await codes(4, 'retry-service?failRate=90&mode=busy')
      const seen = await served()
      const next = await codes(3, 'retry-service?failRate=90&mode=busy')
      return next.every((x) => x.startsWith('503')) && (await served()) === seen ? next : undefined
    },
    60_000,
  )
  assert.equal(ejected.length, 3)
  // Ejection ends: the pods answer again.
  await waitFor(
    'answers after the ejection time',
    async () => (await codes(1, 'retry-service?failRate=0'))[0] === '200 OK',
    45_000,
  )
})
