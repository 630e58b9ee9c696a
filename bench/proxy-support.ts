/**
 * @module bench/proxy-support — processes, /proc readings and load generation for `proxy.bench.ts`.
 * Everything started here is stopped here, by PID.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Client } from 'undici'

/** A started child process. */
export interface Proc {
  child: ChildProcess
  pid: number
  output: () => string
}

/** Starts `cmd` pinned to `cpu` (when taskset exists); resolves once `ready(output)` holds. */
export function startProc(
  cmd: string,
  args: string[],
  cpu: string,
  ready: (out: string) => boolean,
): Promise<Proc> {
  const pinned = existsSync('/usr/bin/taskset')
  const child = pinned
    ? spawn('taskset', ['-c', cpu, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 15_000)
    const poll = setInterval(() => {
      if (ready(out)) {
        clearInterval(poll)
        clearTimeout(deadline)
        resolve({ child, pid: child.pid ?? 0, output: () => out })
      }
      if (child.exitCode !== null) {
        clearInterval(poll)
        clearTimeout(deadline)
        reject(new Error(`${cmd} exited ${child.exitCode}: ${out}`))
      }
    }, 20)
  })
}

/** Stops a process by PID (TERM, then KILL after 3 s). */
export async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()))
  p.child.kill('SIGTERM')
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

/** PIDs of a process and its children (nginx workers, taskset's exec keeps the PID). */
export function groupPids(pid: number): number[] {
  const out = [pid]
  try {
    const kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    for (const k of kids.split('\n')) if (k.trim()) out.push(Number(k))
  } catch {}
  return out
}

/** utime+stime in seconds summed over pids. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {}
  }
  return ticks / 100
}

/** A /proc status field (kB) summed over pids: VmRSS, VmHWM. */
export function memKb(field: string, pids: number[]): number {
  let kb = 0
  for (const p of pids) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${p}/status`, 'utf8'))
      kb += Number(m?.[1] ?? 0)
    } catch {}
  }
  return kb
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

/** The result of one load run. */
export interface LoadResult {
  rps: number
  p50: number
  p90: number
  p99: number
  errors: number
}

const WRK_LUA = `local d = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if d > 0 then function delay() return d end end
function done(s, l, r)
  local e = s.errors
  io.write(string.format('WRKJSON {"rps":%.1f,"p50":%d,"p90":%d,"p99":%d,"errors":%d}\\n',
    s.requests / (s.duration / 1e6), l:percentile(50), l:percentile(90), l:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`

/** The wrk binary when installed. */
export function wrkPath(): string | undefined {
  for (const p of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(p)) return p
  return undefined
}

/** Runs wrk (pinned to cpu 0): closed loop, optional think time per connection. Latencies in ms. */
export function runWrk(
  luaFile: string,
  port: number,
  conns: number,
  seconds: number,
  delayMs: number,
): LoadResult {
  const out = execFileSync(
    'taskset',
    ['-c', '0', wrkPath()!, '-t1', `-c${conns}`, `-d${seconds}s`, '-s', luaFile, `http://127.0.0.1:${port}/`],
    {
      encoding: 'utf8',
      env: { ...process.env, WRK_DELAY_MS: String(delayMs) },
      timeout: (seconds + 20) * 1000,
    },
  )
  const m = /WRKJSON (\{.*\})/.exec(out)
  if (!m) throw new Error(`wrk printed no result: ${out}`)
  const r = JSON.parse(m[1]!) as LoadResult
  return { ...r, p50: r.p50 / 1000, p90: r.p90 / 1000, p99: r.p99 / 1000 }
}

/** The Lua reporter for wrk. */
export const wrkLua = WRK_LUA

/** A load generator in Node (when wrk is absent): `conns` keep-alive connections, closed loop. */
export async function runNodeLoad(
  port: number,
  conns: number,
  seconds: number,
  delayMs: number,
): Promise<LoadResult> {
  const lat: number[] = []
  let errors = 0
  const end = performance.now() + seconds * 1000
  const worker = async () => {
    const c = new Client(`http://127.0.0.1:${port}`, { pipelining: 1 })
    for (let i = 0; i < 10_000_000 && performance.now() < end; i++) {
      const t0 = performance.now()
      try {
        const r = await c.request({ path: '/', method: 'GET' })
        await r.body.dump()
        if (r.statusCode !== 200) errors++
      } catch {
        errors++
      }
      lat.push(performance.now() - t0)
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
    }
    await c.close()
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: conns }, worker))
  const dur = (performance.now() - t0) / 1000
  lat.sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0
  return { rps: lat.length / dur, p50: q(0.5), p90: q(0.9), p99: q(0.99), errors }
}
