/**
 * @module runtime/net/isolation — no way around the sidecar: only this `weir up`'s sidecars (and a pod's
 * own processes) may open connections to a sidecar pod's private app address 127.245.x.y.
 *
 * Mechanism (root with `nft` only): a per-run nftables table `ip weir_iso_<pid>_<start>` on the output hook.
 * Every socket records its creator's group id, which nftables matches as `meta skgid`, so the runtime sets
 * this process's effective gid to a dedicated run gid (RUN_GID_BASE + pid: the in-process sidecars, probes
 * and gateway all create their sockets here) and starts each sidecar pod's processes with a pod gid
 * (APP_GID_BASE + the app address's index). The table holds this run's app addresses and the
 * (address, pod gid) pairs; a new connection (a SYN) to one of them is accepted from the run gid or from
 * its own pod's gid, and answered with a TCP reset otherwise (the client sees ECONNREFUSED). Addresses of
 * other runs are not in the table, so parallel runs do not interfere. Matching the socket's owner needs
 * no source-address binding in the proxy and no conntrack. The table is deleted on exit; one left by a
 * killed run (its owner pid and start time are in its name) is deleted by the next `weir up`.
 *
 * Limits: a process that is root can change its own gid or delete the table; this closes the accidental
 * and ordinary paths (any non-root process, any root process that does not impersonate weir). Without
 * root or `nft` (or with WEIR_ISOLATION=off) one warning says the app addresses stay reachable.
 */
import { spawnSync } from 'node:child_process'
import { findProgram } from '../process/binaries.ts'
import { processStartTime } from '../process/records.ts'

/** Group ids: pods from APP_GID_BASE (+ index < 65536), runs from RUN_GID_BASE (+ pid); both under 2^31. */
export const APP_GID_BASE = 1_245_000_000
export const RUN_GID_BASE = 1_246_000_000

/** The isolation of one runtime. */
export interface Isolation {
  readonly enabled: boolean
  /** The gid a sidecar pod's processes run with (undefined when disabled). */
  podGid(appAddress: string): number | undefined
  /** Starts guarding an app address (before its pod's processes start). */
  admit(appAddress: string): void
  /** Stops guarding an app address (its pod is gone). */
  release(appAddress: string): void
  /** Removes the table and gives this process its gid back. */
  close(): void
}

const TABLE_PREFIX = 'weir_iso_'
let sequence = 0
let egidUsers = 0
let savedEgid: number | undefined

function appIndex(address: string): number | undefined {
  const m = /^127\.245\.(\d+)\.(\d+)$/.exec(address)
  return m ? Number(m[1]) * 256 + Number(m[2]) : undefined
}

function nft(bin: string, args: string[], input?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 5000, ...(input ? { input } : {}) })
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr || r.error?.message || '').trim() }
}

/** Deletes the tables of runs that are gone (a `weir up` killed with -9). */
function reapStale(bin: string): void {
  const listed = nft(bin, ['list', 'tables', 'ip'])
  for (const m of listed.out.matchAll(/table ip (weir_iso_(\d+)_(\d+)_\d+)/g)) {
    const [, name, pid, start] = m
    if (Number(pid) === process.pid) continue
    if (processStartTime(Number(pid)) === Number(start)) continue
    nft(bin, ['delete', 'table', 'ip', name as string])
  }
}

function disabled(log: (line: string) => void, reason: string): Isolation {
  log(
    `warning: apps of sidecar pods are reachable directly on 127.245.x.y, bypassing their sidecar: ${reason}`,
  )
  return { enabled: false, podGid: () => undefined, admit() {}, release() {}, close() {} }
}

/** Sets up isolation for a runtime (or warns once and returns a no-op). */
export function startIsolation(opts: { log: (line: string) => void }): Isolation {
  if (process.env.WEIR_ISOLATION === 'off') return disabled(opts.log, 'WEIR_ISOLATION=off')
  if (process.getuid?.() !== 0 || !process.setegid || !process.getegid)
    return disabled(opts.log, 'enforcing it needs root (nftables rules)')
  const bin = findProgram('nft')
  if (!bin) return disabled(opts.log, 'nft is not installed (apt-get install -y nftables)')
  reapStale(bin)
  const runGid = RUN_GID_BASE + process.pid
  const table = `${TABLE_PREFIX}${process.pid}_${processStartTime(process.pid) ?? 0}_${sequence++}`
  const created = nft(
    bin,
    ['-f', '-'],
    `table ip ${table} {
  set apps { type ipv4_addr; }
  set allowed { typeof ip daddr . meta skgid; }
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr @apps meta skgid ${runGid} accept
    ip daddr . meta skgid @allowed accept
    ip daddr @apps tcp flags & (syn | ack) == syn reject with tcp reset
  }
}
`,
  )
  if (!created.ok) return disabled(opts.log, `nft cannot add a table here (${created.err})`)
  try {
    if (egidUsers === 0) savedEgid = process.getegid()
    process.setegid(runGid)
    egidUsers++
  } catch (err) {
    nft(bin, ['delete', 'table', 'ip', table])
    return disabled(opts.log, `cannot take the run's group id ${runGid} (${String(err)})`)
  }
  const element = (set: 'apps' | 'allowed', op: 'add' | 'delete', value: string): void => {
    const r = nft(bin, [op, 'element', 'ip', table, set, `{ ${value} }`])
    if (!r.ok && op === 'add') opts.log(`weir: isolation: cannot guard ${value}: ${r.err}`)
  }
  const guarded = new Set<string>()
  let closed = false
  return {
    enabled: true,
    podGid: (address) => {
      const i = appIndex(address)
      return i === undefined ? undefined : APP_GID_BASE + i
    },
    admit(address) {
      const i = appIndex(address)
      if (closed || i === undefined || guarded.has(address)) return
      guarded.add(address)
      element('allowed', 'add', `${address} . ${APP_GID_BASE + i}`)
      element('apps', 'add', address)
    },
    release(address) {
      const i = appIndex(address)
      if (closed || i === undefined || !guarded.delete(address)) return
      element('apps', 'delete', address)
      element('allowed', 'delete', `${address} . ${APP_GID_BASE + i}`)
    },
    close() {
      if (closed) return
      closed = true
      nft(bin, ['delete', 'table', 'ip', table])
      if (--egidUsers === 0 && savedEgid !== undefined) {
        try {
          process.setegid?.(savedEgid)
        } catch {
          // keep the run gid: harmless once the table is gone
        }
      }
    },
  }
}
