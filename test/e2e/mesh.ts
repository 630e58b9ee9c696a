/**
 * @module test/e2e/mesh — runs `weir up` on an example's files for the tutorial tests, and the `weir` commands a
 * user types next to it (apply, get, exec), each as a real process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The weir entry point. */
export const WEIR_BIN = join(ROOT, 'bin/weir.js')
/** A file of `examples/`. */
export const example = (path: string): string => join(ROOT, 'examples', path)

/** What a command printed and how it ended. */
export interface Ran {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs argv (bounded by `timeoutMs`) without blocking the event loop. */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Polls `fn` until it returns a truthy value, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T> | T,
  timeoutMs = 45_000,
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v) return v as Exclude<T, undefined | null | false | 0 | ''>
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

/** One HTTP exchange's outcome. */
export interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** One HTTP request (fresh connection), bounded by `timeoutMs`; rejects on network errors. */
export function http(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** Runs `count` requests, `width` at a time; returns each answer's body (or `!status` for non-200). */
export async function many(count: number, width: number, one: () => Promise<Answer>): Promise<string[]> {
  const out: string[] = []
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++
      const a = await one()
      out.push(a.status === 200 ? a.body : `!${a.status}`)
    }
  }
  await Promise.all(Array.from({ length: width }, worker))
  return out
}

/** Share of `items` for which `pred` holds, in percent. */
export const percent = <T>(items: readonly T[], pred: (t: T) => boolean): number =>
  (100 * items.filter(pred).length) / items.length

/** A running `weir up` and the commands to drive it. */
export interface Mesh {
  gatewayUrl: string
  state: string
  /** `weir ARGS…` against this mesh; rejects unless it exits 0. */
  weir(...args: string[]): Promise<string>
  /** `weir ARGS…` against this mesh, whatever the exit status. */
  weirRan(...args: string[]): Promise<Ran>
  /** The first pod with label `app=<app>`. */
  pod(app: string): Promise<string>
  /** `weir exec POD -c C -- sh -c SCRIPT`'s stdout (exit status ignored). */
  exec(pod: string, container: string, script: string, timeoutMs?: number): Promise<Ran>
  /** `weir up`'s output so far. */
  output(): string
  /** Ctrl-C, then waits for the exit (SIGKILL after 15 s); removes the state dir. */
  stop(): Promise<void>
}

/** Starts `weir up --gateway-port 0 --state <temp> …args` and waits for its ready line and Ready pods. */
export async function startMesh(args: string[], pods: number, timeoutMs = 90_000): Promise<Mesh> {
  const state = await mkdtemp(join(tmpdir(), 'weir-e2e-'))
  const env = { ...process.env, WEIR_STATE: state }
  const child: ChildProcess = spawn(
    process.execPath,
    [WEIR_BIN, 'up', '--gateway-port', '0', '--state', state, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT },
  )
  let out = ''
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  let dead = false
  void exited.then(() => {
    dead = true
  })
  const weirRan = (...a: string[]): Promise<Ran> => run([process.execPath, WEIR_BIN, ...a], env)
  const mesh: Mesh = {
    gatewayUrl: '',
    state,
    weirRan,
    async weir(...a) {
      const r = await weirRan(...a)
      if (r.status !== 0) throw new Error(`weir ${a.join(' ')} exited ${r.status}: ${r.stderr}`)
      return r.stdout
    },
    async pod(app) {
      return mesh.weir('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={.items[0].metadata.name}')
    },
    exec(pod, container, script, ms = 60_000) {
      return run(
        [process.execPath, WEIR_BIN, 'exec', pod, '-c', container, '--', 'sh', '-c', script],
        env,
        ms,
      )
    },
    output: () => out,
    async stop() {
      if (!dead) {
        child.kill('SIGINT')
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
        await exited
        clearTimeout(timer)
      }
      await rm(state, { recursive: true, force: true })
    },
  }
  try {
    const line = await waitFor(
      'weir up: ready',
      () => {
        if (dead) throw new Error(`weir up exited:\n${out}`)
        return /weir up: ready.*/.exec(out)?.[0]
      },
      timeoutMs,
    )
    mesh.gatewayUrl = /gateway (\S+)/.exec(line)?.[1] ?? ''
    await waitFor(
      `${pods} pods 2/2 Running`,
      async () => {
        if (dead) throw new Error(`weir up exited:\n${out}`)
        const r = await weirRan('get', 'pods', '-A', '--no-headers')
        const rows = r.stdout.split('\n').filter((l) => / 2\/2 +Running /.test(l))
        return rows.length >= pods
      },
      timeoutMs,
    )
  } catch (err) {
    await mesh.stop()
    throw err
  }
  return mesh
}

/**
 * `n` requests to `url` by one curl inside a pod's container: `CODE BODY` for each (`CODE (page)` for
 * bodies longer than 40 characters).
 */
export async function curlCodes(
  mesh: Mesh | undefined,
  pod: string,
  container: string,
  n: number,
  url: string,
  timeoutS = 35,
): Promise<string[]> {
  const urls = Array.from({ length: n }, () => `'${url}'`).join(' ')
  const r = await mesh?.exec(
    pod,
    container,
    `curl -s -m ${timeoutS} -w '\\n@@ %{http_code}\\n' ${urls}`,
    120_000,
  )
  const parts = (r?.stdout ?? '').split(/\n@@ (\d+)\n/)
  const out: string[] = []
  for (let i = 1; i < parts.length; i += 2) {
    const body = parts[i - 1] ?? ''
    out.push(`${parts[i]} ${body.length > 40 ? '(page)' : body}`)
  }
  return out
}
