/**
 * @module analyze/hosts — host names as Istio's analyzers resolve them: short names in the namespace of the
 * rule (`reviews` → `reviews.<ns>.svc.cluster.local`), anything with a dot taken as written, `*` wildcards.
 */

/** The cluster-local suffix Istio appends to short names. */
export const CLUSTER_LOCAL = 'svc.cluster.local'

/** `reviews` → `reviews.<ns>.svc.cluster.local`; names with a dot and wildcards stay as they are. */
export function toFQDN(namespace: string, host: string): string {
  if (host.startsWith('*') || host.includes('.')) return host
  return `${host}.${namespace}.${CLUSTER_LOCAL}`
}

/** Namespace and name of a Kubernetes service host (`name.ns.svc.cluster.local`), or undefined for other hosts. */
export function serviceOfFQDN(fqdn: string): { namespace: string; name: string } | undefined {
  const m = /^(.+)\.(.+)\.svc\.cluster\.local$/.exec(fqdn)
  return m?.[1] !== undefined && m[2] !== undefined ? { name: m[1], namespace: m[2] } : undefined
}

/** The service a host names: an FQDN of a Kubernetes service, or a short name in `defaultNamespace`. */
export function serviceOfHost(defaultNamespace: string, host: string): { namespace: string; name: string } {
  return serviceOfFQDN(host) ?? { namespace: defaultNamespace, name: host }
}

/**
 * Istio's `host.Name.Matches`: true when the two names can match a common host. `*.foo.com` matches
 * `bar.foo.com` and `*.bar.foo.com`; `*` matches everything; two exact names match when equal.
 */
export function hostsMatch(a: string, b: string): boolean {
  const aw = a.startsWith('*')
  const bw = b.startsWith('*')
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1))
  if (aw) return b.endsWith(a.slice(1))
  if (bw) return a.endsWith(b.slice(1))
  return a === b
}
