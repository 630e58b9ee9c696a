/**
 * @module proxyconfig/security — compiled AuthorizationPolicy data (part of the ProxyConfig contract).
 * Plain JSON: the compiler writes it (`src/compile/security/`), the proxy evaluates it
 * (`src/proxy/security/authz.ts`). Order of evaluation, as Envoy's RBAC filters in Istio:
 * DENY policies, then ALLOW (none ⇒ allow; some ⇒ one must match); AUDIT only marks.
 */

/**
 * A value matcher from a policy string: `abc` exact, `abc*` prefix, `*abc` suffix, `*` presence
 * (a non-empty value), and for paths `{*}`/`{**}` templates compiled to `template` (anchored regex
 * source made only of escaped literals, `[^/]+` and `.*`). `ignoreCase` for hosts.
 */
export type AuthzMatch =
  | { kind: 'exact'; value: string; ignoreCase?: boolean }
  | { kind: 'prefix'; value: string; ignoreCase?: boolean }
  | { kind: 'suffix'; value: string; ignoreCase?: boolean }
  | { kind: 'presence' }
  | { kind: 'template'; regex: string }

/** One field of a rule: values OR'ed; `not` values must all fail. Absent lists are not checked. */
export interface AuthzField {
  values?: AuthzMatch[]
  notValues?: AuthzMatch[]
}

/** `from[].source`: fields AND. */
export interface AuthzSource {
  principals?: AuthzField
  requestPrincipals?: AuthzField
  namespaces?: AuthzField
  /** CIDRs matched against the direct peer address. */
  ipBlocks?: { values?: string[]; notValues?: string[] }
  /** CIDRs matched against the original client address (X-Forwarded-For). */
  remoteIpBlocks?: { values?: string[]; notValues?: string[] }
}

/** `to[].operation`: fields AND. `hosts`, `methods`, `paths` are HTTP-only. */
export interface AuthzOperation {
  hosts?: AuthzField
  ports?: AuthzField
  methods?: AuthzField
  paths?: AuthzField
}

/**
 * A `when` condition. `key` is Istio's attribute: `request.headers[<name>]`, `source.ip`, `remote.ip`,
 * `source.namespace`, `source.principal`, `request.auth.principal`, `destination.ip`, `destination.port`,
 * `connection.sni`, … (keys the proxy cannot evaluate never match). IP keys take CIDRs.
 */
export interface AuthzCondition {
  key: string
  values?: string[]
  notValues?: string[]
}

/** One rule: each non-empty list must have a matching element; an all-empty rule (`{}`) matches everything. */
export interface AuthzRule {
  from: AuthzSource[]
  to: AuthzOperation[]
  when: AuthzCondition[]
}

/** One AuthorizationPolicy as it applies to the proxy. `rules` empty ⇒ never matches. */
export interface AuthzPolicy {
  name: string
  namespace: string
  rules: AuthzRule[]
}

/** Every AuthorizationPolicy that selects the proxy's workload, by action. */
export interface CompiledAuthz {
  deny: AuthzPolicy[]
  allow: AuthzPolicy[]
  audit: AuthzPolicy[]
  /** CUSTOM (ext-authz) policies selecting the workload: not supported; listed so `explain` can warn. */
  custom?: { name: string; namespace: string; provider?: string }[]
}
