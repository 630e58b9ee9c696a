/** @module test/cli/support — a control plane per test file, and `weir` run as a child process against it. */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Diagnostic } from '../../src/api/diagnostics.ts'
import { type Resource, specOf } from '../../src/api/resource.ts'
import { type ControlPlane, startControlPlane } from '../../src/controlplane/server.ts'

/** A validator standing in for src/api/validate.ts: negative route weights are errors, label `old` warns. */
export function validate(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = []
  const http = (specOf(r).http ?? []) as { route?: { weight?: number }[] }[]
  http.forEach((h, i) => {
    h.route?.forEach((d, j) => {
      if ((d.weight ?? 0) < 0) {
        out.push({
          code: 'WEIR0101',
          severity: 'Error',
          message: 'must be >= 0',
          path: `spec.http[${i}].route[${j}].weight`,
        })
      }
    })
  })
  if (r.metadata.labels?.old)
    out.push({ code: 'WEIR0103', severity: 'Warning', message: 'label "old" is deprecated' })
  return out
}

/** `bin/weir.js`. */
export const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

/** The control plane of the current test file, its state dir and a scratch dir. */
export interface CliEnv {
  cp: ControlPlane
  state: string
  work: string
}

/** Starts a control plane before the file's tests and removes everything after them. */
export function useControlPlane(): CliEnv {
  const env = {} as CliEnv
  before(async () => {
    env.state = mkdtempSync(join(tmpdir(), 'weir-cli-state-'))
    env.work = mkdtempSync(join(tmpdir(), 'weir-cli-work-'))
    env.cp = await startControlPlane({ stateDir: env.state, validate })
  })
  after(async () => {
    await env.cp.close()
    rmSync(env.state, { recursive: true, force: true })
    rmSync(env.work, { recursive: true, force: true })
  })
  return env
}

/** What a `weir` run printed and its exit code. */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `weir ARGS` against the control plane (found through WEIR_STATE), asynchronously. */
export function weir(
  env: CliEnv,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [WEIR, ...args],
      { env: { ...process.env, WEIR_STATE: env.state, ...opts.env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(opts.stdin ?? '')
  })
}

/** Writes a file in the scratch dir and returns its path. */
export function file(env: CliEnv, name: string, text: string): string {
  const p = join(env.work, name)
  writeFileSync(p, text)
  return p
}

/** Non-empty lines. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '')
/** The cells of a table row (columns are at least two spaces apart). */
export const cells = (line: string): string[] => line.trim().split(/\s{2,}/)
