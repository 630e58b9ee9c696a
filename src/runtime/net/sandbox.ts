/**
 * @module runtime/net/sandbox — runs a command in its pod's view of the machine: a private mount namespace
 * with the pod's hosts file bind-mounted over /etc/hosts (`unshare` from util-linux; as a normal user through
 * a user namespace). Where that is impossible, a warning and a fallback (`HOSTALIASES`, env vars).
 */
import { spawnSync } from 'node:child_process'
import { findProgram } from '../process/binaries.ts'

/** How commands get their own /etc/hosts on this machine. */
export interface SandboxMode {
  kind: 'root' | 'user' | 'none'
  /** Why `none` (shown once as a warning). */
  reason?: string
}

const SCRIPT = 'mount --bind "$0" /etc/hosts && exec "$@"'

/** The unshare arguments for a mode. */
function unshareArgs(kind: 'root' | 'user'): string[] {
  return kind === 'root'
    ? ['--mount', '--propagation', 'private']
    : ['--user', '--map-root-user', '--mount', '--propagation', 'private']
}

let cached: SandboxMode | undefined

/** Finds out (once) whether `unshare` can give a process its own /etc/hosts here. */
export function detectSandbox(): SandboxMode {
  if (cached) return cached
  const unshare = findProgram('unshare')
  if (!unshare) {
    cached = { kind: 'none', reason: 'unshare is not installed (apt-get install -y util-linux)' }
    return cached
  }
  const kinds: ('root' | 'user')[] = process.getuid?.() === 0 ? ['root', 'user'] : ['user']
  const errors: string[] = []
  for (const kind of kinds) {
    const r = spawnSync(unshare, [...unshareArgs(kind), 'sh', '-c', SCRIPT, '/etc/hosts', 'true'], {
      encoding: 'utf8',
      timeout: 5000,
    })
    if (r.status === 0) {
      cached = { kind }
      return cached
    }
    errors.push(`unshare ${unshareArgs(kind).join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`)
  }
  cached = { kind: 'none', reason: `cannot make a mount namespace (${errors.join('; ')})` }
  return cached
}

/** The argv that runs `argv` with `hostsFile` as its /etc/hosts (unchanged when the mode is `none`). */
export function sandboxArgv(mode: SandboxMode, hostsFile: string, argv: readonly string[]): string[] {
  if (mode.kind === 'none') return [...argv]
  return ['unshare', ...unshareArgs(mode.kind), 'sh', '-c', SCRIPT, hostsFile, ...argv]
}
