/**
 * @module compile/security/compile-glue — the security parts of compileProxy: inbound listener TLS from
 * the effective PeerAuthentication, cluster TLS (DestinationRule `tls` or auto mTLS) and `config.authz`.
 */
import type { Resource } from '../../api/resource.ts'
import type { ConfigEntry, MeshSnapshot } from '../../model/types.ts'
import type { CompiledAuthz } from '../../proxyconfig/security.ts'
import type { Endpoint, ServerTls, UpstreamTls } from '../../proxyconfig/types.ts'
import { compileAuthorization } from './authorization.ts'
import { effectivePeerAuthentication, inboundServerTls } from './peer-authentication.ts'
import { upstreamTlsFor } from './upstream-tls.ts'

/** The workload a sidecar or gateway proxy runs for. */
export interface SecurityNode {
  namespace: string
  labels: Record<string, string>
}

/** The resources as written, each with the namespace it was placed in (files loaded with `-n`). */
const resources = (list: readonly ConfigEntry[]): Resource[] =>
  list.map((e) =>
    e.resource.metadata.namespace === e.namespace
      ? e.resource
      : { ...e.resource, metadata: { ...e.resource.metadata, namespace: e.namespace } },
  )

/** The listener TLS of an inbound workload port (`targetPort`), or undefined for DISABLE (plaintext only). */
export function inboundTlsFor(
  snapshot: MeshSnapshot,
  node: SecurityNode,
  targetPort: number,
): ServerTls | undefined {
  const mode = effectivePeerAuthentication(
    resources(snapshot.peerAuthentications),
    { namespace: node.namespace, labels: node.labels },
    targetPort,
    { rootNamespace: snapshot.mesh.rootNamespace },
  )
  return inboundServerTls(mode)
}

/** Where a cluster goes, for its TLS. */
export interface ClusterTlsTarget {
  host: string
  port: number
  subset: string
  /** Mesh-internal service (auto mTLS applies only to those). */
  meshInternal: boolean
  endpoints: readonly Endpoint[]
  /** Every endpoint of the service (all subsets): their accounts are the identities accepted, as Istio. */
  serviceEndpoints?: readonly Endpoint[]
}

/**
 * The TLS a client sidecar originates for a cluster. DestinationRule `tls` (already merged for port and
 * subset) wins; without it, auto mTLS (mesh `enableAutoMtls`): ISTIO_MUTUAL with Istio's SNI and the
 * endpoints' SPIFFE identities when every endpoint has a sidecar, AUTO (decided per endpoint by the
 * proxy) when only some have, none when no endpoint has.
 */
export function clusterTlsFor(
  snapshot: MeshSnapshot,
  destinationRuleTls: unknown,
  target: ClusterTlsTarget,
): UpstreamTls | undefined {
  const withSidecar = target.endpoints.filter((e) => e.tlsMode === 'istio')
  const ids = [
    ...new Set(
      (target.serviceEndpoints ?? target.endpoints).flatMap((e) =>
        e.tlsMode === 'istio' && e.workload
          ? [
              `spiffe://${snapshot.mesh.trustDomain}/ns/${e.workload.namespace}/sa/${e.workload.serviceAccount}`,
            ]
          : [],
      ),
    ),
  ].sort()
  const auto = snapshot.mesh.enableAutoMtls && target.meshInternal
  const tls = upstreamTlsFor(destinationRuleTls, withSidecar.length > 0, auto, {
    host: target.host,
    port: target.port,
    subset: target.subset,
    identities: ids,
  })
  const drSet = destinationRuleTls !== undefined && destinationRuleTls !== null
  if (!drSet && tls && withSidecar.length < target.endpoints.length) return { mode: 'AUTO' }
  return tls
}

/** `config.authz` for a workload: undefined when no AuthorizationPolicy selects it. */
export function authzFor(snapshot: MeshSnapshot, node: SecurityNode): CompiledAuthz | undefined {
  if (snapshot.authorizationPolicies.length === 0) return undefined
  const a = compileAuthorization(
    resources(snapshot.authorizationPolicies),
    { namespace: node.namespace, labels: node.labels },
    { rootNamespace: snapshot.mesh.rootNamespace, trustDomain: snapshot.mesh.trustDomain },
  )
  const any = a.deny.length + a.allow.length + a.audit.length + (a.custom?.length ?? 0)
  return any > 0 ? a : undefined
}
