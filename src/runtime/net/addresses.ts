/**
 * @module runtime/net/addresses — the local address plan, all inside 127.0.0.0/8 (every address there is
 * local on Linux, so nothing needs privileges):
 *
 *   127.96.a.b    Service virtual IPs (`spec.clusterIP`), as a cluster's service CIDR
 *   127.97.a.b    external names from `--host-alias` / `hostAliases` (forwarded to the real address)
 *   127.244.a.b   pod IPs (`status.podIP`); for a pod with a sidecar, the sidecar's inbound address
 *   127.245.a.b   the app of a pod with a sidecar (only its sidecar connects there)
 *   127.(100+(p>>8)).(p&255).s   pod p's outbound address for service s (its sidecar listens there)
 */
import { acquireLease, releaseLease } from './leases.ts'

/** Index ↔ address for a /16 block; indexes skip host parts .0 and .255. */
function blockAddress(first: number, index: number): string {
  const hi = Math.floor(index / 254)
  const lo = (index % 254) + 1
  return `127.${first}.${hi}.${lo}`
}

function blockIndex(first: number, address: string): number | undefined {
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(address)
  if (!m || Number(m[1]) !== first) return undefined
  const hi = Number(m[2])
  const lo = Number(m[3])
  if (lo < 1 || lo > 254 || hi > 255) return undefined
  return hi * 254 + lo - 1
}

/** The blocks. */
export const BLOCK = { service: 96, external: 97, pod: 244, app: 245 } as const

/** A free-index allocator for one block, seeded with addresses already in use. */
export interface Allocator {
  /** Takes a specific address (a Service's existing clusterIP, a pod's IP after a restart); false when taken. */
  claim(address: string): boolean
  /** The next free address. */
  next(): string
  release(address: string): void
  /** True when this allocator handed out or claimed `address`. */
  owns(address: string): boolean
  /** Gives every lease back (at shutdown). */
  releaseAll(): void
  indexOf(address: string): number | undefined
}

/** An allocator over block `first` (one of BLOCK). */
export function createAllocator(first: number): Allocator {
  const used = new Set<number>()
  let cursor = 0
  return {
    claim(address) {
      const i = blockIndex(first, address)
      if (i === undefined || used.has(i) || !acquireLease(address)) return false
      used.add(i)
      return true
    },
    next() {
      for (let n = 0; n < 65_000; n++) {
        const i = (cursor + n) % 65_000
        if (!used.has(i) && acquireLease(blockAddress(first, i))) {
          used.add(i)
          cursor = i + 1
          return blockAddress(first, i)
        }
      }
      throw new Error(`address block 127.${first}.0.0/16 is full`)
    },
    release(address) {
      const i = blockIndex(first, address)
      if (i === undefined || !used.has(i)) return
      used.delete(i)
      releaseLease(address)
    },
    owns(address) {
      const i = blockIndex(first, address)
      return i !== undefined && used.has(i)
    },
    releaseAll() {
      for (const i of used) releaseLease(blockAddress(first, i))
      used.clear()
    },
    indexOf(address) {
      return blockIndex(first, address)
    },
  }
}

/** The address of block `first` with the same index as `address` in block `from`. */
export function sameIndex(address: string, from: number, first: number): string | undefined {
  const i = blockIndex(from, address)
  return i === undefined ? undefined : blockAddress(first, i)
}

/** Pod p's outbound address for service slot s (1–254). */
export function outboundAddress(podIndex: number, slot: number): string {
  return `127.${100 + (podIndex >> 8)}.${podIndex & 255}.${slot}`
}

/** The (pod index, slot) of an outbound address, or undefined. */
export function parseOutbound(address: string): { podIndex: number; slot: number } | undefined {
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(address)
  if (!m) return undefined
  const a = Number(m[1])
  if (a < 100 || a > 227) return undefined
  return { podIndex: ((a - 100) << 8) | Number(m[2]), slot: Number(m[3]) }
}

/** True for an address in 127.0.0.0/8. */
export function isLoopback(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(address)
}
