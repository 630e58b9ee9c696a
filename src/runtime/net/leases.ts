/**
 * @module runtime/net/leases — machine-wide leases on loopback addresses, so that two `weir up` runs (or two
 * test files) never hand out the same pod IP or VIP. A lease is a file named after the address holding the
 * owner's pid and start time; a lease whose owner is gone is taken over.
 */
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processStartTime } from '../process/records.ts'

let dirCache: string | undefined

/**
 * The lease directory (override with WEIR_LEASE_DIR): one for the machine, world-writable and sticky like
 * /tmp; a per-user one when that is not writable (then runs of different users are not coordinated).
 */
export function leaseDir(): string {
  if (process.env.WEIR_LEASE_DIR) return process.env.WEIR_LEASE_DIR
  if (dirCache) return dirCache
  const shared = join(tmpdir(), 'weir-address-leases')
  try {
    mkdirSync(shared, { recursive: true, mode: 0o1777 })
    try {
      chmodSync(shared, 0o1777)
    } catch {
      // someone else's directory: fine if we may write in it
    }
    accessSync(shared, constants.W_OK)
    dirCache = shared
  } catch {
    dirCache = join(tmpdir(), `weir-address-leases-${process.getuid?.() ?? 'user'}`)
  }
  return dirCache
}

const me = (): string => `${process.pid} ${processStartTime(process.pid) ?? 0}`

function ownerAlive(text: string): boolean {
  const [pid, start] = text.trim().split(' ').map(Number)
  if (!pid) return false
  if (pid === process.pid) return true
  return processStartTime(pid) === start
}

/** Takes the lease on `address`; false when another live process holds it. */
export function acquireLease(address: string): boolean {
  const dir = leaseDir()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, address)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, me(), { flag: 'wx', mode: 0o644 })
      return true
    } catch {
      let text = ''
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        continue
      }
      if (text.trim() === me()) return true
      if (ownerAlive(text)) return false
      rmSync(file, { force: true })
    }
  }
  return false
}

/** Gives a lease back (only when this process holds it). */
export function releaseLease(address: string): void {
  const file = join(leaseDir(), address)
  try {
    if (readFileSync(file, 'utf8').trim() === me()) rmSync(file, { force: true })
  } catch {
    // not ours or gone
  }
}
