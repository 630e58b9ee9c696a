/** @module test/runtime/helpers — shared bits of the runtime tests: polling with a bound, manifests, HTTP. */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubeObject } from '../../src/runtime/kube.ts'

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
export async function getText(url: string): Promise<string | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) })
    return await r.text()
  } catch {
    return undefined
  }
}

/** True when a pid is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
