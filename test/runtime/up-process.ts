/** @module test/runtime/up-process — runs `weir up` as a child process for tests, and talks to its API. */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from './helpers.ts'

/** The weir entry point. */
export const WEIR_BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

/** A running `weir up`. */
export interface UpProcess {
  child: ChildProcess
  gatewayUrl: string
  apiUrl: string
  output: () => string
  /** Sends a signal and waits (bounded) for the exit; returns the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>
}

/** Starts `weir up --gateway-port 0 --state DIR …args` and waits for its ready line. */
export async function startUpProcess(
  stateDir: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<UpProcess> {
  const child = spawn(
    process.execPath,
    [WEIR_BIN, 'up', '--gateway-port', '0', '--state', stateDir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, sig) => resolve(code ?? sig)),
  )
  const line = await Promise.race([
    waitFor('weir up ready line', () => /weir up: ready.*/.exec(out)?.[0], timeoutMs),
    exited.then((code) => {
      throw new Error(`weir up exited (${code}) before it was ready:\n${out}`)
    }),
  ])
  const gatewayUrl = /gateway (\S+)/.exec(line)?.[1] ?? ''
  const apiUrl = /api (\S+)/.exec(line)?.[1] ?? ''
  return {
    child,
    gatewayUrl,
    apiUrl,
    output: () => out,
    async stop(signal = 'SIGINT') {
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** GET a path of the control plane API as JSON. */
export async function apiGet(stateDir: string, apiUrl: string, path: string): Promise<unknown> {
  const token = readFileSync(join(stateDir, 'token'), 'utf8').trim()
  const r = await fetch(`${apiUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  })
  if (!r.ok) throw new Error(`${path}: ${r.status}`)
  return r.json()
}

/** The pods of a namespace through the API. */
export async function listPods(
  stateDir: string,
  apiUrl: string,
  namespace: string,
): Promise<
  {
    metadata: { name: string }
    status?: {
      podIP?: string
      conditions?: { type: string; status: string }[]
      containerStatuses?: { restartCount: number; ready: boolean }[]
    }
  }[]
> {
  const list = (await apiGet(stateDir, apiUrl, `/api/v1/namespaces/${namespace}/pods`)) as { items: never[] }
  return list.items
}

/** True when every pod listed is Ready. */
export function allReady(pods: Awaited<ReturnType<typeof listPods>>): boolean {
  return pods.every((p) =>
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  )
}

/** Pids `weir up` recorded for its children (each leads its own process group). */
export function recordedPids(stateDir: string): number[] {
  const dir = join(stateDir, 'run', 'pids')
  try {
    return readdirSync(dir).map(
      (f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { pid: number }).pid,
    )
  } catch {
    return []
  }
}
