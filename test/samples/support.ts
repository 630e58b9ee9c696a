/** @module test/samples/support — starts sample apps (and real Redis/MariaDB) as child processes for the tests. */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findBinary } from '../../samples/lib/launch.ts'

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL('../..', import.meta.url))

/** A running sample app. */
export interface App {
  proc: ChildProcess
  port: number
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Everything it printed so far (stdout and stderr). */
  output(): string
  /** Resolves with the exit code (or signal) once it has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stop(): Promise<void>
}

const LISTENING = /listening on \w+:\/\/[^\s:]+:(\d+)/

/**
 * Starts `node samples/<app>/main.ts` with HOST=127.0.0.1, PORT=0 (unless `env` sets it) and `env`,
 * and waits (at most `timeoutMs`) for its `listening on …:PORT` line.
 */
export function startApp(
  app: string,
  env: Record<string, string> = {},
  opts: { args?: string[]; timeoutMs?: number } = {},
): Promise<App> {
  const proc = spawn(process.execPath, [join(ROOT, 'samples', app, 'main.ts'), ...(opts.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${app} did not start within ${opts.timeoutMs ?? 15_000} ms:\n${out}`))
    }, opts.timeoutMs ?? 15_000)
    const onData = (c: Buffer): void => {
      out += c.toString()
      const m = LISTENING.exec(out)
      if (m && timer) {
        clearTimeout(timer)
        const port = Number(m[1])
        resolve({
          proc,
          port,
          url: `http://127.0.0.1:${port}`,
          output: () => out,
          exited,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
            const t = setTimeout(() => proc.kill('SIGKILL'), 5000)
            await exited
            clearTimeout(t)
          },
        })
      }
    }
    proc.stdout.on('data', onData)
    proc.stderr.on('data', onData)
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${app} exited (${code}) before listening:\n${out}`))
    })
  })
}

/** Runs `node samples/<app>/main.ts args…` to completion and returns its exit code and output. */
export function runApp(
  app: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [join(ROOT, 'samples', app, 'main.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  proc.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

/** A port that was free a moment ago (for servers that cannot bind port 0: redis-server, mariadbd). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      s.close(() => resolve(port))
    })
  })
}

/** Fails (never skips) when a server binary the tests need is missing. */
export function needBinary(names: string[], debianPackage: string): void {
  if (findBinary(names)) return
  throw new Error(
    `${names.join('/')} is not installed. The tests start the real server: .ci/run installs the Debian ` +
      `package ${debianPackage} from scripts/apt-packages.txt (or run: apt-get install -y ${debianPackage}).`,
  )
}

/** A temp dir and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/** Starts real Redis through `samples/redis` on a free port. */
export async function startRedis(): Promise<App> {
  needBinary(['redis-server'], 'redis-server')
  const port = await freePort()
  const app = await startApp('redis', { PORT: String(port) })
  return app
}

/** The voting Secret's values (base64-decoded). */
export const MYSQL_SECRET = {
  MYSQL_USER: 'dbuser',
  MYSQL_PASSWORD: 'Password12',
  MYSQL_DATABASE: 'azurevote',
  MYSQL_ROOT_PASSWORD: 'Password12',
}

/** Starts real MariaDB through `samples/voting-storage-mysql` with its data in `datadir`. */
export async function startMariadb(datadir: string): Promise<App> {
  needBinary(['mariadbd', 'mysqld'], 'mariadb-server')
  const port = await freePort()
  return startApp(
    'voting-storage-mysql',
    { PORT: String(port), DATADIR: datadir, ...MYSQL_SECRET },
    { args: ['--ignore-db-dir=lost+found'], timeoutMs: 60_000 },
  )
}

/** Waits (at most `timeoutMs`, polling) until the app's output matches `re`; fails with the output otherwise. */
export async function waitForOutput(app: App, re: RegExp, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!re.test(app.output())) {
    if (Date.now() > deadline) throw new Error(`output never matched ${re}:\n${app.output()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
