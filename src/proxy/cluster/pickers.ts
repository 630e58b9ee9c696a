/**
 * @module proxy/cluster/pickers — endpoint pickers: LEAST_REQUEST (power of two choices), ROUND_ROBIN,
 * RANDOM, RING_HASH / MAGLEV (a consistent-hash ring; a missing hash ⇒ a random endpoint).
 *
 * A picker chooses among the endpoints it is handed (ready, not ejected), optionally avoiding hosts
 * already tried (retry `previous_hosts`), falling back to them when nothing else is left.
 */
import type { LoadBalancer } from '../../proxyconfig/types.ts'
import type { EndpointState } from './outlier.ts'

/** What a pick may use. */
export interface PickContext {
  /** A 32-bit hash for consistent hashing; undefined ⇒ random. */
  hash?: number | undefined
  /** Endpoints tried already by this request. */
  tried?: ReadonlySet<EndpointState> | undefined
}

/** Picks one endpoint from `candidates` (non-empty). */
export type Picker = (candidates: readonly EndpointState[], ctx: PickContext) => EndpointState

/** FNV-1a 32-bit hash of a string. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function preferUntried(candidates: readonly EndpointState[], tried: ReadonlySet<EndpointState> | undefined) {
  if (!tried || tried.size === 0) return candidates
  const fresh = candidates.filter((c) => !tried.has(c))
  return fresh.length > 0 ? fresh : candidates
}

function randomOf(c: readonly EndpointState[]): EndpointState {
  return c[Math.floor(Math.random() * c.length)]!
}

/** Creates the picker of a cluster's load balancer (state such as the round-robin cursor lives inside). */
export function createPicker(lb: LoadBalancer): Picker {
  switch (lb.kind) {
    case 'ROUND_ROBIN': {
      let cursor = 0
      return (all, ctx) => {
        const c = preferUntried(all, ctx.tried)
        cursor = (cursor + 1) % 1_000_000_007
        return c[cursor % c.length]!
      }
    }
    case 'RANDOM':
    case 'PASSTHROUGH':
      return (all, ctx) => randomOf(preferUntried(all, ctx.tried))
    case 'RING_HASH':
    case 'MAGLEV':
      return createRingPicker(lb.kind === 'RING_HASH' ? lb.minimumRingSize : lb.tableSize)
    default:
      return (all, ctx) => {
        const c = preferUntried(all, ctx.tried)
        if (c.length === 1) return c[0]!
        const i = Math.floor(Math.random() * c.length)
        let j = Math.floor(Math.random() * (c.length - 1))
        if (j >= i) j++
        const a = c[i]!
        const b = c[j]!
        return b.active < a.active ? b : a
      }
  }
}

/**
 * A consistent-hash ring over the candidates' keys, rebuilt when the candidate set changes. The
 * request's hash lands on the first point clockwise; no hash ⇒ random (Envoy thread_aware_lb).
 * Retries may hit the same host (no previous_hosts for consistent hashing).
 */
function createRingPicker(minSize: number): Picker {
  let builtFor = ''
  let points: { h: number; ep: EndpointState }[] = []
  return (all, ctx) => {
    if (ctx.hash === undefined) return randomOf(all)
    const sig = all.map((e) => e.key).join(',')
    if (sig !== builtFor) {
      builtFor = sig
      const perHost = Math.max(1, Math.ceil(Math.min(Math.max(minSize, 1), 8_388_608) / all.length))
      points = []
      for (const ep of all) for (let i = 0; i < perHost; i++) points.push({ h: hash32(`${ep.key}_${i}`), ep })
      points.sort((x, y) => x.h - y.h)
    }
    let lo = 0
    let hi = points.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (points[mid]!.h < ctx.hash) lo = mid + 1
      else hi = mid
    }
    return (points[lo] ?? points[0]!).ep
  }
}
