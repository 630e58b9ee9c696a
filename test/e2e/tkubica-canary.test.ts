/**
 * Tomas Kubica's Istio demo (scenarios.md §2), the canary and load-balancing steps, with `weir` in place of
 * kubectl: no rule, the 90/10 canary, the cookie canary, Host-based gateway routing, RANDOM and sticky pods with
 * `User: tomas`. Files from `examples/tkubica/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { example, http, type Mesh, percent, startMesh, waitFor } from './mesh.ts'

const T = (f: string): string => example(`tkubica/istio/${f}`)
let mesh: Mesh | undefined
let client = ''

/** A shell command: `n` requests by one `curl` given the URL `n` times (the last word of `args`). */
function curlCmd(n: number, args: string): string {
  const words = args.split(' ')
  const url = words.pop() ?? ''
  return `curl -s -m 5 -w '\\n' ${words.join(' ')} $(for i in $(seq ${n}); do printf '%s ' ${url}; done)`
}

/** The answers of `curlCmd(n, args)` run in the client pod, one line each. */
async function curlLoop(n: number, args: string): Promise<string[]> {
  const r = await mesh?.exec(client, 'client', curlCmd(n, args))
  return (r?.stdout ?? '').split('\n').filter((l) => l.length > 0)
}

/** Two request series in one exec: the answers of each. */
async function twoLoops(n: number, a: string, b: string): Promise<[string[], string[]]> {
  const r = await mesh?.exec(client, 'client', `${curlCmd(n, a)}; echo ===; ${curlCmd(n, b)}`)
  const [x = '', y = ''] = (r?.stdout ?? '').split('===\n')
  const lines = (t: string): string[] => t.split('\n').filter((l) => l.length > 0)
  return [lines(x), lines(y)]
}

before(async () => {
  mesh = await startMesh(
    [example('tkubica/weir/namespace-default.yaml'), T('client.yaml'), T('canary.yaml'), T('gateway.yaml')],
    7,
  )
  client = await mesh.pod('client')
  assert.ok(client)
})

after(async () => {
  await mesh?.stop()
})

test('step 9: no rule: both versions answer', { timeout: 120_000 }, async () => {
  const lines = await curlLoop(40, 'myweb-service')
  assert.equal(lines.length, 40)
  assert.ok(lines.some((l) => l.startsWith('Version 1: server id ')))
  assert.ok(lines.some((l) => l.startsWith('Version 2: server id ')))
})

test('step 10: canary10percent: v2 answers 10 % (±5) of 500 requests', { timeout: 120_000 }, async () => {
  await mesh?.weir('apply', '-f', T('canary10percent.yaml'))
  await mesh?.weir('wait', '--timeout', '20s')
  const lines = await curlLoop(500, 'myweb-service')
  assert.equal(lines.length, 500)
  assert.ok(
    lines.every((l) => /^Version [12]: server id /.test(l)),
    lines.find((l) => !l.startsWith('Version')),
  )
  const v2 = percent(lines, (l) => l.startsWith('Version 2'))
  assert.ok(Math.abs(v2 - 10) <= 5, `v2 answered ${v2} %`)
})

test('step 11: the cookie canary: usertype=tester → v2, else v1', { timeout: 120_000 }, async () => {
  await mesh?.weir('delete', '-f', T('canary10percent.yaml'))
  await mesh?.weir('apply', '-f', T('canaryCookie.yaml'))
  const split = (r: [string[], string[]]): boolean =>
    r[0].length === 20 &&
    r[1].length === 20 &&
    r[0].every((l) => l.startsWith('Version 1: ')) &&
    r[1].every((l) => l.startsWith('Version 2: '))
  let last: [string[], string[]] = [[], []]
  await waitFor('plain → v1, usertype=tester → v2', async () => {
    last = await twoLoops(20, 'myweb-service', '--cookie usertype=tester myweb-service')
    return split(last)
  }).catch(() => assert.fail(`plain:\n${last[0].join('\n')}\ntester:\n${last[1].join('\n')}`))
  await mesh?.weir('delete', '-f', T('canaryCookie.yaml'))
})

test('step 15: the gateway routes Host myweb-service.domain.com, and 404 for any other Host', async () => {
  const gw = mesh?.gatewayUrl ?? ''
  const ok = await http(`${gw}/`, { headers: { host: 'myweb-service.domain.com' } })
  assert.equal(ok.status, 200)
  assert.match(ok.body, /^Version [12]: server id /)
  const other = await http(`${gw}/`, { headers: { host: 'other.domain.com' } })
  assert.equal(other.status, 404)
})

test('steps 16–17: lbRandom keeps to v1; lbHeaderHash sends User: tomas to one pod', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', T('lbRandom.yaml'))
  const random = await waitFor('30 answers, all v1', async () => {
    const lines = await curlLoop(30, 'myweb-service')
    return lines.length === 30 && lines.every((l) => l.startsWith('Version 1: ')) ? lines : undefined
  })
  assert.ok(new Set(random).size >= 2, 'random spreads over the v1 pods')
  await mesh?.weir('apply', '-f', T('lbHeaderHash.yaml'))
  const tomas = await waitFor('30 answers for tomas from one v1 pod', async () => {
    const lines = await curlLoop(30, '-H "User: tomas" myweb-service')
    return lines.length === 30 && new Set(lines).size === 1 ? lines : undefined
  })
  assert.match(tomas[0] ?? '', /^Version 1: server id /)
  // Without the header the answers still spread over the v1 pods.
  const anyone = await curlLoop(30, 'myweb-service')
  assert.ok(new Set(anyone).size >= 2)
})
