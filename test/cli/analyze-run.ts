/** @module test/cli/analyze-run — runs `weir analyze` as a user does (a child process), for the analyze tests. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

/** What one run printed and how it exited. */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** `weir analyze ...args`, with `stdin` on standard input. */
export function weir(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, 'analyze', ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? -1 : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(stdin ?? '')
  })
}

/** Message lines of one level: `Error [IST0101] (...) text`. */
export function lines(out: string, level: 'Error' | 'Warning' | 'Info'): string[] {
  return out.split('\n').filter((l) => l.startsWith(`${level} [`))
}
