/**
 * Tomas Kubica's Istio demo (scenarios.md §2), steps 6–8 with `weir` in place of kubectl: a 50 % failing
 * backend fails without a policy, answers with retries (busy and crash modes), and the mirror copies each request
 * to the sniffer while the caller is unaffected. Files from `examples/tkubica/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
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
    [
      example('tkubica/weir/namespace-default.yaml'),
      T('client.yaml'),
      T('retryBackend.yaml'),
      T('sniffer.yaml'),
    ],
    5,
  )
  client = await mesh.pod('client')
  assert.ok(client)
})

after(async () => {
  await mesh?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

test('steps 6–7b: without a policy a 50 % failing backend fails; with retries every request answers OK', {
  timeout: 120_000,
}, async () => {
  const before = await codes(20, 'retry-service?failRate=50&mode=busy')
  assert.equal(before.length, 20)
  assert.ok(
    before.some((c) => c.startsWith('503')),
    before.join('\n'),
  )
  await mesh?.weir('apply', '-f', T2020('retryVirtualService.yaml'))
  await mesh?.weir('wait', '--timeout', '20s')
  const busy = await codes(20, 'retry-service?failRate=50&mode=busy')
  assert.deepEqual(busy, Array(20).fill('200 OK'))
  // crash mode: the failing pod exits mid-request; the retry reaches another one.
  const crash = await codes(3, 'retry-service?failRate=50&mode=crash')
  assert.deepEqual(crash, Array(3).fill('200 OK'))
})

test('step 8: the mirror copies each request to the sniffer; the caller still gets OK', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', T('copyVirtualService.yaml'))
  await mesh?.weir('wait', '--timeout', '20s')
  const sniffer = await mesh?.pod('sniffer')
  assert.ok(sniffer)
  // failRate=1 never fails (r is drawn from 1..100): every answer is the backend's OK.
  const answers = await codes(10, 'retry-service?failRate=1&mark=e2e-mirror')
  assert.deepEqual(answers, Array(10).fill('200 OK'))
  const copies = (out: string): number => (out.match(/ > GET \/\?failRate=1&mark=e2e-mirror /g) ?? []).length
  const log = await waitFor('10 copies in the sniffer log', async () => {
    const out = (await mesh?.weir('logs', sniffer ?? '', '-c', 'sniffer')) ?? ''
    return copies(out) >= 10 ? out : undefined
  })
  assert.equal(copies(log), 10)
  assert.match(log, /^ +host: retry-service/im)
})
