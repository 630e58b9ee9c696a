/**
 * @module runtime/net/plan — the network view of every pod: which address each name resolves to inside it,
 * where its sidecar binds compiled listeners, and where passthrough connections really go.
 */
import { type KubeObject, nsOf, rec } from '../kube.ts'
import { type Allocator, BLOCK, createAllocator, outboundAddress, parseOutbound } from './addresses.ts'
import { type HostsEntry, serviceNames } from './hosts.ts'

/** An external name (`--host-alias name=host:port`, a pod's `hostAliases`). */
export interface HostAlias {
  name: string
  host: string
  /** The real port; absent: the port the app connected to. */
  port?: number
}

/**
 * Slots of a pod's outbound range: services 1–200, `--host-alias` names 201–239, the pod's own
 * `hostAliases` 240–254.
 */
const EXTERNAL_SLOT0 = 201
const POD_ALIAS_SLOT0 = 240

/** How many of a pod's own `hostAliases` names get a slot. */
export const POD_ALIAS_SLOTS = 15

/** An external name with its place: `address` without a sidecar, `slot` of the pod's range with one. */
export type Alias = HostAlias & { address: string; slot: number }

/** A Service as the network plan sees it. */
export interface ServiceInfo {
  key: string
  name: string
  namespace: string
  vip: string
  slot: number
  ports: { port: number; name?: string; targetPort?: number | string; protocol?: string }[]
  selector: Record<string, string> | undefined
}

/** Reads a Service's clusterIP, ports and selector (undefined for headless and ExternalName services). */
export function serviceInfo(svc: KubeObject, services: Allocator): ServiceInfo | undefined {
  const spec = rec(svc.spec)
  const vip = typeof spec.clusterIP === 'string' ? spec.clusterIP : undefined
  if (!vip || vip === 'None' || spec.type === 'ExternalName') return undefined
  const index = services.indexOf(vip) ?? 0
  return {
    key: `${nsOf(svc)}/${svc.metadata.name}`,
    name: svc.metadata.name,
    namespace: nsOf(svc),
    vip,
    slot: (index % 200) + 1,
    ports: (Array.isArray(spec.ports) ? spec.ports : []).map(
      (p) => rec(p) as unknown as ServiceInfo['ports'][number],
    ),
    selector: spec.selector as Record<string, string> | undefined,
  }
}

/** The shared address state of one runtime. */
export interface AddressBook {
  services: Allocator
  pods: Allocator
  externals: Allocator
}

/** Fresh allocators. */
export function createAddressBook(): AddressBook {
  return {
    services: createAllocator(BLOCK.service),
    pods: createAllocator(BLOCK.pod),
    externals: createAllocator(BLOCK.external),
  }
}

/** The names a pod resolves and to what. */
export function hostsEntriesFor(opts: {
  namespace: string
  podIndex: number
  sidecar: boolean
  services: readonly ServiceInfo[]
  aliases: readonly Alias[]
}): HostsEntry[] {
  const out: HostsEntry[] = []
  for (const s of opts.services) {
    const address = opts.sidecar ? outboundAddress(opts.podIndex, s.slot) : s.vip
    out.push({ address, names: serviceNames(s.name, s.namespace, opts.namespace) })
  }
  for (const a of opts.aliases) {
    const direct = a.port === undefined ? a.host : a.address
    out.push({ address: opts.sidecar ? outboundAddress(opts.podIndex, a.slot) : direct, names: [a.name] })
  }
  return out
}

/** A slot for the i-th external name. */
export function externalSlot(i: number): number {
  return EXTERNAL_SLOT0 + (i % (POD_ALIAS_SLOT0 - EXTERNAL_SLOT0))
}

/** The slot for a pod's i-th own host alias. */
export function podAliasSlot(i: number): number {
  return POD_ALIAS_SLOT0 + i
}

/** Where a connection a sidecar accepted on its outbound range was really going. */
export function originalDestinationOf(
  localAddress: string,
  localPort: number,
  services: readonly ServiceInfo[],
  aliases: readonly Alias[],
): { host: string; port: number } | undefined {
  const o = parseOutbound(localAddress)
  if (!o) return undefined
  if (o.slot >= EXTERNAL_SLOT0) {
    const a = aliases.find((x) => x.slot === o.slot)
    return a ? { host: a.host, port: a.port ?? localPort } : undefined
  }
  const s = services.find((x) => x.slot === o.slot)
  return s ? { host: s.vip, port: localPort } : undefined
}
