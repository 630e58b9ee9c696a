/** @module bench/push.bench — push convergence at 1,000 proxies: one config change, time until every proxy acked. */

/*
 * Run: `node_modules/.bin/node bench/push.bench.ts [proxies=1000] [rounds=5] [services=20]`. The push server runs in this
 * process; the simulated proxies (real push clients over loopback) in one child process. Per round, the
 * config of every proxy changes (a VirtualService-like route change); per-proxy convergence is the time
 * from `configChanged()` to that proxy's ACK as the server records it (debounce 0, so this is the
 * protocol's cost, not Istio's 100 ms quiet period), and configs are built before the change (compile
 * is benchmarked on its own). A baseline run with 10 proxies in the same process
 * gives the scaling ratio. Not a test.
 */
import { spawn } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ProxyConfig } from '../src/proxyconfig/types.ts'
import type { ProxyNode } from '../src/xds/protocol.ts'
import { createPushServer } from '../src/xds/server.ts'
import { listenPushServer } from '../src/xds/standalone.ts'
import { tinyConfig } from '../src/xds/testing.ts'

const TOKEN = 'bench-token'
const CLIENTS = fileURLToPath(new URL('./push-clients.ts', import.meta.url))

interface Result {
  proxies: number
  p50: number
  p99: number
  max: number
  cpuMsPerRound: number
  rssMb: number
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

async function run(proxies: number, rounds: number, services: number): Promise<Result> {
  let generation = 0
  // Configs are built before each change (outside the timed window): compile has its own benchmark,
  // and here `configFor` stands for a compile cache lookup.
  let ready = new Map<string, ProxyConfig>()
  const build = (node: ProxyNode): ProxyConfig => tinyConfig(node, `g${generation}`, services)
  const nodes = new Map<string, ProxyNode>()
  const push = createPushServer({
    token: TOKEN,
    debounceMs: 0,
    configFor: (node) => {
      nodes.set(node.id, node)
      return ready.get(node.id) ?? build(node)
    },
  })
  const listener = await listenPushServer(push, { token: TOKEN })
  const child = spawn(
    process.execPath,
    [...process.execArgv, CLIENTS, listener.url, TOKEN, String(proxies)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`clients exited with ${code}`)))
      createInterface({ input: child.stdout! }).once('line', () => resolve())
    })
    const deadline = Date.now() + 60_000
    while (push.status().length < proxies && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50))
    if (!(await push.waitForConvergence(30_000)).converged) throw new Error('initial configs not acked')
    const samples: number[] = []
    let cpuMs = 0
    for (let round = 0; round < rounds; round++) {
      generation++
      ready = new Map([...nodes.values()].map((n) => [n.id, build(n)]))
      const cpu0 = process.cpuUsage()
      const t0 = Date.now()
      push.configChanged()
      const done = await push.waitForConvergence(30_000)
      const cpu = process.cpuUsage(cpu0)
      cpuMs += (cpu.user + cpu.system) / 1000
      if (!done.converged)
        throw new Error(`round ${round}: ${done.notSynced.length} proxies not synced after 30 s`)
      for (const row of push.status()) samples.push(Date.parse(row.acked!.at) - t0)
      await new Promise((r) => setTimeout(r, 100))
    }
    samples.sort((a, b) => a - b)
    return {
      proxies,
      p50: pct(samples, 50),
      p99: pct(samples, 99),
      max: samples[samples.length - 1] ?? NaN,
      cpuMsPerRound: Math.round(cpuMs / rounds),
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    }
  } finally {
    child.kill('SIGTERM')
    await listener.close()
  }
}

const proxies = Number(process.argv[2] ?? 1000)
const rounds = Number(process.argv[3] ?? 5)
const services = Number(process.argv[4] ?? 20)
const bytes = JSON.stringify(tinyConfig({ id: 'x.default' }, 'g', services)).length
process.stdout.write(`config: ${services} services, ${(bytes / 1024).toFixed(1)} KiB of JSON per proxy\n`)
const baseline = await run(10, rounds, services)
const big = await run(proxies, rounds, services)
const fmt = (r: Result): string =>
  `${String(r.proxies).padStart(5)} proxies: convergence p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms; server CPU ${r.cpuMsPerRound} ms/push; server RSS ${r.rssMb} MiB`
process.stdout.write(`baseline ${fmt(baseline)}\n`)
process.stdout.write(`measured ${fmt(big)}\n`)
process.stdout.write(
  `ratio (${big.proxies}/${baseline.proxies} proxies): p99 ×${(big.p99 / Math.max(1, baseline.p99)).toFixed(1)}, CPU ×${(big.cpuMsPerRound / Math.max(1, baseline.cpuMsPerRound)).toFixed(1)}\n`,
)
process.stdout.write(`goal p99 < 100 ms at 1,000 proxies: ${big.p99 < 100 ? 'met' : 'NOT met'}\n`)
process.stdout.write(
  `machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} (other processes share the cores: wall times vary with load; CPU/push does not)\n`,
)
