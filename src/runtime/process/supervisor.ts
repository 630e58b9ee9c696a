/**
 * @module runtime/process/supervisor — one container as a child process: its own process group, output
 * appended to its log file, restarted with exponential back-off when it exits (RESTARTS grows), stopped by
 * signalling the whole group.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { findProgram } from './binaries.ts'
import { recordProcess } from './records.ts'

/** How to run and restart one container. */
export interface SupervisorOptions {
  /** `namespace/pod/container`, for messages. */
  name: string
  argv: readonly string[]
  env: Readonly<Record<string, string>>
  cwd?: string
  logFile: string
  /** Where pid records go (see records.ts). */
  stateDir: string
  /** First restart delay and its cap (Kubernetes: 10 s, 5 min). */
  backoff?: { initialMs: number; maxMs: number }
  /** How long SIGTERM gets before SIGKILL. */
  graceMs?: number
  /** The group id the process runs with (a sidecar pod's gid, see net/isolation.ts). */
  gid?: number
  /** Called after each start with the new pid. */
  onStart?: (pid: number) => void
  /** Called when the process exits (before any restart is scheduled). */
  onExit?: (exit: ContainerExit) => void
}

/** How a run ended. */
export interface ContainerExit {
  code: number | null
  signal: NodeJS.Signals | null
  startedAt: string
  finishedAt: string
}

/** A supervised container. */
export interface Supervisor {
  readonly pid: number | undefined
  readonly running: boolean
  readonly restartCount: number
  readonly startedAt: string | undefined
  readonly lastExit: ContainerExit | undefined
  /** True while waiting to restart after an exit. */
  readonly backingOff: boolean
  /** Stops the process group (SIGTERM, then SIGKILL after the grace period) and any pending restart. */
  stop(): Promise<void>
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    try {
      process.kill(pid, signal)
    } catch {
      // gone
    }
  }
}

/** Starts a container process and keeps it running until `stop()`. */
export function startSupervisor(opts: SupervisorOptions): Supervisor {
  const backoff = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 }
  let child: ChildProcess | undefined
  let stopped = false
  let restarts = 0
  let startedAt: string | undefined
  let lastExit: ContainerExit | undefined
  let timer: NodeJS.Timeout | undefined
  let exited: Promise<void> = Promise.resolve()
  mkdirSync(dirname(opts.logFile), { recursive: true })
  const pdeath = findProgram('setpriv')

  const launch = (): void => {
    timer = undefined
    if (stopped) return
    const fd = openSync(opts.logFile, 'a')
    const argv = pdeath ? [pdeath, '--pdeathsig', 'KILL', ...opts.argv] : [...opts.argv]
    startedAt = new Date().toISOString()
    const c = spawn(argv[0] as string, argv.slice(1), {
      env: { ...opts.env },
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    })
    closeSync(fd)
    child = c
    let forget = (): void => {}
    let resolveExit: () => void = () => {}
    exited = new Promise((r) => {
      resolveExit = r
    })
    c.on('spawn', () => {
      if (c.pid !== undefined) {
        forget = recordProcess(opts.stateDir, c.pid, opts.name)
        opts.onStart?.(c.pid)
      }
    })
    c.on('error', (err) => {
      appendLog(opts.logFile, `weir: cannot start ${opts.argv[0]}: ${err.message}\n`)
    })
    c.on('close', (code, signal) => {
      if (c.pid !== undefined) killGroup(c.pid, 'SIGKILL')
      forget()
      child = undefined
      lastExit = { code, signal, startedAt: startedAt ?? '', finishedAt: new Date().toISOString() }
      resolveExit()
      opts.onExit?.(lastExit)
      if (stopped) return
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(restarts, 20))
      restarts++
      timer = setTimeout(launch, delay)
    })
  }
  launch()

  return {
    get pid() {
      return child?.pid
    },
    get running() {
      return child !== undefined
    },
    get restartCount() {
      return restarts
    },
    get startedAt() {
      return startedAt
    },
    get lastExit() {
      return lastExit
    },
    get backingOff() {
      return timer !== undefined
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
      const c = child
      if (!c?.pid) return
      killGroup(c.pid, 'SIGTERM')
      const kill = setTimeout(() => killGroup(c.pid as number, 'SIGKILL'), opts.graceMs ?? 3000)
      await exited
      clearTimeout(kill)
    },
  }
}

function appendLog(file: string, text: string): void {
  try {
    const fd = openSync(file, 'a')
    writeSync(fd, text)
    closeSync(fd)
  } catch {
    // the log is best effort
  }
}
