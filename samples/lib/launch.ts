/** @module samples/lib/launch — runs a real server binary (redis-server, mariadbd) as the sample's process. */
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * Finds the first of `names` on PATH (and in /usr/sbin, /usr/local/sbin, where mariadbd lives); `undefined` when none is there.
 * @param names executable names, best first
 */
export function findBinary(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  for (const n of names) {
    for (const d of dirs) {
      if (!d) continue
      const p = join(d, n)
      try {
        accessSync(p, constants.X_OK)
        return p
      } catch {}
    }
  }
  return undefined
}

/** Like `findBinary`, but a missing binary ends the process (exit 127) naming the Debian package. */
export function requireBinary(names: readonly string[], debianPackage: string): string {
  const found = findBinary(names)
  if (found) return found
  process.stderr.write(
    `${names.join(' or ')} not found on PATH: install the Debian package ${debianPackage} ` +
      `(apt-get install -y ${debianPackage})\n`,
  )
  process.exit(127)
}

/**
 * Starts `bin` with `args`, copies its output to ours, calls `onReady` once a line matching `ready`
 * appears, forwards SIGTERM/SIGINT, and exits with the child's code when it ends.
 */
export function runServer(
  bin: string,
  args: readonly string[],
  ready: RegExp,
  onReady: () => void,
): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let seen = false
  const watch = (chunk: Buffer, to: NodeJS.WriteStream): void => {
    to.write(chunk)
    if (!seen && ready.test(chunk.toString())) {
      seen = true
      onReady()
    }
  }
  child.stdout?.on('data', (c: Buffer) => watch(c, process.stdout))
  child.stderr?.on('data', (c: Buffer) => watch(c, process.stderr))
  child.on('error', (e) => {
    process.stderr.write(`cannot start ${bin}: ${e.message}\n`)
    process.exit(127)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => child.kill(sig))
  return child
}
