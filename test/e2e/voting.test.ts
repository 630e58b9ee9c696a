/**
 * The AKS voting tutorial (scenarios.md §1, steps 1–10), unchanged, with `weir` in place of `kubectl`:
 * real Redis and MariaDB behind the voting stand-ins, every pod with its sidecar, the ingress gateway.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { findProgram } from '../../src/runtime/process/binaries.ts'
import { groupMembers } from '../../src/runtime/process/records.ts'
import { getText, run, tempState, waitFor } from '../runtime/helpers.ts'
import {
  allReady,
  listPods,
  recordedPids,
  startUpProcess,
  type UpProcess,
  WEIR_BIN,
} from '../runtime/up-process.ts'
import { HAVE_SHARED, shared } from '../support/shared.ts'

const DIR = shared('scenarios/aks-voting-app')
const missing = ['redis-server', 'mariadbd', 'unshare'].filter((p) => !findProgram(p))
const skip = !HAVE_SHARED
  ? 'shared/ is not here'
  : missing.length
    ? `not installed: ${missing.join(', ')}`
    : false

let state = ''
let up: UpProcess | undefined

const weir = async (...args: string[]): Promise<string> => {
  const r = await run([process.execPath, WEIR_BIN, ...args], { env: { ...process.env, WEIR_STATE: state } })
  assert.equal(r.status, 0, `weir ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const results = (html: string | undefined): string | undefined =>
  /<div id="results">(.*?)<\/div>/.exec(html ?? '')?.[1]?.trim()
const percentages = /^Cats: \d+\/\d+ \(\d+%\) \| Dogs: \d+\/\d+ \(\d+%\)$/
const counts = /^Cats: \d+ \| Dogs: \d+$/

async function podsReady(expected: number): Promise<void> {
  await waitFor(
    `${expected} pods Running 2/2 in voting`,
    async () => {
      const pods = await listPods(state, up?.apiUrl ?? '', 'voting')
      return (
        pods.length === expected &&
        allReady(pods) &&
        pods.every(
          (p) =>
            p.status?.containerStatuses?.length === 2 && p.status.containerStatuses.every((c) => c.ready),
        )
      )
    },
    45_000,
  )
}

before(async () => {
  if (skip) return
  state = await tempState()
  up = await startUpProcess(state, [])
})

after(async () => {
  await up?.stop('SIGINT')
})

test('AKS voting app: steps 1–10', { skip, timeout: 240_000 }, async () => {
  const gw = up?.gatewayUrl ?? ''
  // 1–2
  assert.match(await weir('create', 'namespace', 'voting'), /namespace\/voting created/)
  assert.match(
    await weir('label', 'namespace', 'voting', 'istio-injection=enabled'),
    /namespace\/voting labeled/,
  )
  // 3
  const out3 = await weir(
    'apply',
    '-f',
    join(DIR, 'kubernetes/step-1-create-voting-app.yaml'),
    '--namespace',
    'voting',
  )
  assert.match(out3, /deployment.apps\/voting-app-1-0 created/)
  await podsReady(5)
  // 4–5
  assert.match(
    await weir(
      'apply',
      '-f',
      join(DIR, 'istio/step-1-create-voting-app-gateway.yaml'),
      '--namespace',
      'voting',
    ),
    /gateway.networking.istio.io\/voting-app-gateway created/,
  )
  const page = await waitFor(
    'the voting app through the gateway',
    async () => {
      const html = await getText(`${gw}/`)
      return html && counts.test(results(html) ?? '') ? html : undefined
    },
    30_000,
  )
  assert.match(page, /host: voting-app-1-0-[a-z0-9]+-[a-z0-9]{5}<br\/>/)
  assert.match(page, /store: redis<br\/>/)
  // 6: analytics 1.1 next to 1.0: both formats over bounded requests.
  await weir(
    'apply',
    '-f',
    join(DIR, 'kubernetes/step-2-update-voting-analytics-to-1.1.yaml'),
    '--namespace',
    'voting',
  )
  await podsReady(6)
  const seen = new Set<string>()
  await waitFor(
    'both results formats',
    async () => {
      const r = results(await getText(`${gw}/`)) ?? ''
      if (counts.test(r)) seen.add('counts')
      if (percentages.test(r)) seen.add('percentages')
      return seen.size === 2
    },
    30_000,
  )
  // 7: routing for all components: only analytics 1.1 answers.
  await weir(
    'apply',
    '-f',
    join(DIR, 'istio/step-2-update-and-add-routing-for-all-components.yaml'),
    '--namespace',
    'voting',
  ).catch(() => '')
  let streak = 0
  await waitFor(
    '10 answers in a row with percentages',
    async () => {
      const r = results(await getText(`${gw}/`)) ?? ''
      streak = percentages.test(r) ? streak + 1 : 0
      return streak >= 10
    },
    30_000,
  )
  // 9–10: 2.0 components with MySQL; the feature-flag cookie reaches them.
  await weir(
    'apply',
    '-f',
    join(DIR, 'istio/step-3-add-routing-for-2.0-components.yaml'),
    '--namespace',
    'voting',
  )
  await weir(
    'apply',
    '-f',
    join(DIR, 'kubernetes/step-3-update-voting-app-with-new-storage.yaml'),
    '--namespace',
    'voting',
  )
  await podsReady(11)
  const canary = await waitFor(
    'voting-app 2.0 with the cookie',
    async () => {
      const html = await getText(`${gw}/`, { cookie: 'featureflag=on' })
      return html && /store: mysql/.test(html) && percentages.test(results(html) ?? '') ? html : undefined
    },
    45_000,
  )
  assert.match(canary, /host: voting-app-2-0-/)
  const plain = await getText(`${gw}/`)
  assert.match(plain ?? '', /store: redis<br\/>/)
  // Ctrl-C: nothing is left, Redis and MariaDB included.
  const groups = recordedPids(state)
  assert.ok(groups.length >= 11)
  assert.equal(await up?.stop('SIGINT'), 0)
  up = undefined
  for (const pgid of groups) assert.deepEqual(groupMembers(pgid), [], `process group ${pgid} left behind`)
})
