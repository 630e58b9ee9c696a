/** @module test/runtime/helpers — shared bits of the runtime tests: polling with a bound, manifests, HTTP. */

import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubeObject } from '../../src/runtime/kube.ts'
import { processStartTime } from '../../src/runtime/process/records.ts'

/** The test fixtures' catalog. */
export const FIXTURE_CATALOG = fileURLToPath(new URL('./fixtures/catalog.json', import.meta.url))

/** T without its falsy members. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

/** Polls `fn` until it returns a truthy value (bounded by `timeoutMs`); throws with `what` on timeout. */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v) return v as Truthy<T>
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

/** A temp state dir. */
export function tempState(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'weir-rt-'))
}

/** A Deployment of the echo fixture. */
export function echoDeployment(
  name: string,
  namespace: string,
  replicas: number,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'echo', image: 'example/echo:1.0', ports: [{ containerPort: 8080 }], ...extra },
          ],
        },
      },
    },
  }
}

/** A Service selecting `app: name`. */
export function service(name: string, namespace: string, port: number, targetPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort }] },
  }
}

/** GET a URL's body text (undefined on any failure). */
export function getText(url: string, headers: Record<string, string> = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 3000, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      res.on('error', () => resolve(undefined))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
  })
}

/** True when a pid is alive (a zombie nobody reaped yet counts as dead). */
export function alive(pid: number): boolean {
  return processStartTime(pid) !== undefined
}

/** Runs a command without blocking the event loop (the runtime under test lives in this process). */
export function run(
  argv: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}
