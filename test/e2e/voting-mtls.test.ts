/**
 * The AKS voting tutorial (scenarios.md §1, steps 1–7, ending with the legacy `Policy` STRICT and the
 * ISTIO_MUTUAL DestinationRules), then proof on the wire that traffic between sidecars is encrypted: the
 * loopback traffic to this run's pod addresses is captured with `tcpdump` while votes and page loads go
 * through the gateway, and no known plaintext (analytics JSON keys, Redis `INCR`, vote names, the HTTP
 * request line) appears in it while TLS records do. Also `weir tls-check` rows, and a plaintext client
 * refused by a STRICT pod.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { findProgram } from '../../src/runtime/process/binaries.ts'
import { getText, run, tempState, waitFor } from '../runtime/helpers.ts'
import { allReady, listPods, startUpProcess, type UpProcess, WEIR_BIN } from '../runtime/up-process.ts'
import { HAVE_SHARED, shared } from '../support/shared.ts'

const DIR = shared('scenarios/aks-voting-app')
const missing = ['redis-server', 'unshare'].filter((p) => !findProgram(p))
const skip = !HAVE_SHARED
  ? 'shared/ is not here'
  : missing.length
    ? `not installed: ${missing.join(', ')}`
    : false

let state = ''
let up: UpProcess | undefined
let capture: ChildProcess | undefined
/** The analytics 1.1 pod's address, once the voting test has run. */
let strictPodIP = ''

const weir = async (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  run([process.execPath, WEIR_BIN, ...args], { env: { ...process.env, WEIR_STATE: state } })

const apply = async (file: string): Promise<string> => {
  const r = await weir('apply', '-f', join(DIR, file), '--namespace', 'voting')
  return r.stdout + r.stderr
}

type Pods = Awaited<ReturnType<typeof listPods>>

async function podsReady(expected: number): Promise<Pods> {
  return waitFor(
    `${expected} pods Running 2/2 in voting`,
    async () => {
      const pods = await listPods(state, up?.apiUrl ?? '', 'voting')
      const ok =
        pods.length === expected &&
        allReady(pods) &&
        pods.every((p) => p.status?.containerStatuses?.length === 2)
      return ok ? pods : undefined
    },
    45_000,
  )
}

/** One TCP segment's payload from a pcap file. */
interface Segment {
  dst: string
  dport: number
  payload: Buffer
}

/** The TCP payloads of an Ethernet (loopback) pcap file, in order. */
function tcpPayloads(file: Buffer): Segment[] {
  assert.ok(file.length >= 24, 'the capture file has no pcap header')
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d
  const u32 = (o: number): number => (le ? file.readUInt32LE(o) : file.readUInt32BE(o))
  assert.equal(u32(20), 1, 'expected an Ethernet link type on lo')
  const out: Segment[] = []
  for (let o = 24; o + 16 <= file.length; ) {
    const len = u32(o + 8)
    const pkt = file.subarray(o + 16, o + 16 + len)
    o += 16 + len
    if (pkt.length < 34 || pkt.readUInt16BE(12) !== 0x0800) continue
    const ip = pkt.subarray(14)
    if (ip[9] !== 6) continue
    const ihl = ((ip[0] ?? 0) & 0x0f) * 4
    const total = ip.readUInt16BE(2)
    const tcp = ip.subarray(ihl, total)
    if (tcp.length < 20) continue
    const payload = tcp.subarray(((tcp[12] ?? 0) >> 4) * 4)
    if (payload.length === 0) continue
    out.push({ dst: `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`, dport: tcp.readUInt16BE(2), payload })
  }
  return out
}

/** True when a payload starts with a TLS 1.2/1.3 record header (handshake, alert or application data). */
const isTlsRecord = (b: Buffer): boolean =>
  b.length >= 5 && (b[0] === 0x16 || b[0] === 0x17 || b[0] === 0x15) && b[1] === 0x03 && (b[2] ?? 9) <= 0x04

/** Starts tcpdump on lo for these hosts; resolves once it listens, rejects saying why it cannot. */
async function startCapture(file: string, hosts: readonly string[]): Promise<ChildProcess> {
  const tcpdump = findProgram('tcpdump')
  if (!tcpdump)
    throw new Error(
      'tcpdump is not installed (Debian: apt-get install -y tcpdump); it is required to prove mTLS on the wire',
    )
  const filter = `tcp and (${hosts.map((h) => `host ${h}`).join(' or ')})`
  const child = spawn(
    tcpdump,
    ['-i', 'lo', '--immediate-mode', '-U', '-n', '-Z', 'root', '-w', file, filter],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let err = ''
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) =>
      reject(
        new Error(
          `tcpdump cannot capture on lo (exit ${code}; capture needs root or CAP_NET_RAW): ${err.trim()}`,
        ),
      ),
    ),
  )
  await Promise.race([waitFor('tcpdump listening on lo', () => /listening on lo/.test(err), 10_000), exited])
  return child
}

async function stopCapture(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const done = new Promise<void>((r) => child.on('exit', () => r()))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await done
  clearTimeout(timer)
}

/** Sends a plaintext HTTP request to host:port; resolves with what came back once the server closed. */
function plaintextRequest(host: string, port: number): Promise<{ closed: boolean; reply: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const s = connect({ host, port }, () => s.write(`GET /analytics HTTP/1.1\r\nHost: ${host}\r\n\r\n`))
    const timer = setTimeout(() => {
      s.destroy()
      resolve({ closed: false, reply: Buffer.concat(chunks).toString('latin1') })
    }, 5000)
    s.on('data', (c: Buffer) => chunks.push(c))
    s.on('error', () => {})
    s.on('close', () => {
      clearTimeout(timer)
      resolve({ closed: true, reply: Buffer.concat(chunks).toString('latin1') })
    })
  })
}

before(async () => {
  if (skip) return
  state = await tempState()
  up = await startUpProcess(state, [])
})

after(async () => {
  if (capture) await stopCapture(capture)
  await up?.stop('SIGINT')
})

test('AKS voting app with STRICT mTLS: encrypted between sidecars, tls-check rows', {
  skip,
  timeout: 120_000,
}, async () => {
  const gw = up?.gatewayUrl ?? ''
  // Steps 1–7 of the tutorial.
  assert.equal((await weir('create', 'namespace', 'voting')).status, 0)
  assert.equal((await weir('label', 'namespace', 'voting', 'istio-injection=enabled')).status, 0)
  assert.match(
    await apply('kubernetes/step-1-create-voting-app.yaml'),
    /deployment.apps\/voting-app-1-0 created/,
  )
  assert.match(
    await apply('istio/step-1-create-voting-app-gateway.yaml'),
    /gateway.networking.istio.io\/voting-app-gateway created/,
  )
  await apply('kubernetes/step-2-update-voting-analytics-to-1.1.yaml')
  const pods = await podsReady(6)
  const routing = await apply('istio/step-2-update-and-add-routing-for-all-components.yaml')
  assert.match(routing, /destinationrule.networking.istio.io\/voting-storage created/)
  assert.match(routing, /policy.authentication.istio.io\/default created/i)
  const percentages = /<div id="results">\s*Cats: \d+\/\d+ \(\d+%\) \| Dogs: \d+\/\d+ \(\d+%\)\s*<\/div>/
  let streak = 0
  await waitFor(
    '5 answers in a row from analytics 1.1 through mTLS',
    async () => {
      streak = percentages.test((await getText(`${gw}/`)) ?? '') ? streak + 1 : 0
      return streak >= 5
    },
    30_000,
  )

  // Capture this run's pod traffic while voting and loading the page.
  const ips = pods.map((p) => p.status?.podIP ?? '').filter((ip) => ip !== '')
  assert.equal(ips.length, 6)
  const file = join(state, 'lo.pcap')
  capture = await startCapture(file, ips)
  for (let i = 0; i < 6; i++) {
    const vote = await fetch(`${gw}/`, {
      method: 'POST',
      body: new URLSearchParams({ vote: i % 2 ? 'Cats' : 'Dogs' }),
      signal: AbortSignal.timeout(5000),
    })
    assert.equal(vote.status, 200)
    await vote.text()
    assert.match((await getText(`${gw}/`)) ?? '', percentages)
  }
  // The segments reach the file as tcpdump reads them: wait (bounded) for TLS to each service's pods.
  const podOf = (app: string): string[] =>
    pods.filter((p) => p.metadata.name.startsWith(app)).map((p) => p.status?.podIP ?? '')
  const targets = [
    ['voting-app-1-0', 8080],
    ['voting-analytics-1-1', 8080],
    ['voting-storage-1-0', 6379],
  ] as const
  const tlsTo = (segments: Segment[], app: string, port: number): Segment[] =>
    segments.filter((s) => podOf(app).includes(s.dst) && s.dport === port && isTlsRecord(s.payload))
  const captured = (): Segment[] => tcpPayloads(readFileSync(file))
  await waitFor(
    'TLS records to voting-app, voting-analytics and voting-storage in the capture',
    () => targets.every(([app, port]) => tlsTo(captured(), app, port).length > 0),
    10_000,
  ).catch(() => false)
  await stopCapture(capture)
  capture = undefined
  const segments = captured()
  const bytes = Buffer.concat(segments.map((s) => s.payload))
  for (const plain of ['"category1"', '"category2"', 'INCR', 'Cats', 'Dogs', 'GET /analytics', 'HTTP/1.1'])
    assert.equal(bytes.indexOf(plain), -1, `plaintext ${JSON.stringify(plain)} seen between sidecars`)
  // TLS records to each service's pods: the app (8080), analytics (8080) and Redis (6379).
  for (const [app, port] of targets)
    assert.ok(
      tlsTo(segments, app, port).length > 0,
      `no TLS records to ${app}:${port} in ${segments.length} captured segments`,
    )

  // tls-check: STRICT server, ISTIO_MUTUAL client, the legacy Policy, one aligned row per service.
  const appPod = pods.find((p) => p.metadata.name.startsWith('voting-app-'))?.metadata.name ?? ''
  for (const [svc, port] of [
    ['voting-app', 8080],
    ['voting-analytics', 8080],
    ['voting-storage', 6379],
  ] as const) {
    const r = await weir('tls-check', `${appPod}.voting`, `${svc}.voting.svc.cluster.local`)
    assert.equal(r.status, 0, r.stderr)
    const [header, row, ...rest] = r.stdout.trimEnd().split('\n')
    assert.deepEqual(rest, [])
    assert.match(
      row ?? '',
      new RegExp(
        `^${svc}\\.voting\\.svc\\.cluster\\.local:${port}\\s+OK\\s+mTLS\\s+mTLS\\s+default/voting\\s+${svc}/voting$`,
      ),
    )
    const starts = (line: string): number[] =>
      [...line.matchAll(/(?:^|\s{2,})(\S)/g)].map((m) => m.index + m[0].length - 1)
    assert.deepEqual(starts(row ?? ''), starts(header ?? ''), `columns not aligned:\n${r.stdout}`)
  }

  strictPodIP = podOf('voting-analytics-1-1')[0] ?? ''
})

// The Policy arrives after the pods started, so their inbound listeners change PERMISSIVE → STRICT live.
test('a plaintext client straight at a STRICT pod address gets no HTTP answer', {
  skip,
  timeout: 15_000,
}, async () => {
  assert.notEqual(strictPodIP, '', 'the voting test did not get that far')
  const direct = await plaintextRequest(strictPodIP, 8080)
  assert.doesNotMatch(
    direct.reply,
    /HTTP\//,
    `the STRICT pod answered plaintext: ${direct.reply.slice(0, 80)}`,
  )
  assert.ok(direct.closed, 'the STRICT pod kept a plaintext connection open')
})
