/** @module compile/security — PeerAuthentication, DestinationRule tls, AuthorizationPolicy and tls-check, as pure functions over resources. */
export {
  type AuthzCompileOptions,
  type AuthzWorkload,
  compileAuthorization,
  compileMatch,
} from './authorization.ts'
export { DEFAULT_ROOT_NAMESPACE, type SecurityCompileOptions, type WorkloadRef } from './common.ts'
export {
  authzFor,
  type ClusterTlsTarget,
  clusterTlsFor,
  inboundTlsFor,
  type SecurityNode,
} from './compile-glue.ts'
export {
  effectivePeerAuthentication,
  inboundServerTls,
  type MtlsMode,
  type PeerAuthResolution,
  resolvePeerAuthentication,
} from './peer-authentication.ts'
export { formatTlsCheck, type TlsCheckOptions, type TlsCheckRow, tlsCheck } from './tls-check.ts'
export { drTlsForPort, type UpstreamTlsTarget, upstreamTlsFor } from './upstream-tls.ts'
