/** @module api/semantic/metadata — the API server's checks of object metadata: name syntax and label syntax. */
import type { Resource } from '../resource.ts'
import { checkLabels, type Findings, isDns1123Label } from './common.ts'

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/** Checks metadata.name (as the API server does for the kind) and metadata.labels. */
export function checkMetadata(f: Findings, r: Resource): void {
  const name = r.metadata.name
  if (typeof name === 'string' && name !== '') {
    const problem = nameProblem(r.kind, r.apiVersion, name)
    if (problem) f.error(['metadata', 'name'], `metadata.name: Invalid value: "${name}": ${problem}`)
  }
  const ns = r.metadata.namespace
  if (typeof ns === 'string' && ns !== '' && !isDns1123Label(ns)) {
    f.error(
      ['metadata', 'namespace'],
      `metadata.namespace: Invalid value: "${ns}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    )
  }
  checkLabels(f, ['metadata', 'labels'], r.metadata.labels)
  // Istio's webhook rejects this annotation on purpose (its integration tests use it).
  if (r.apiVersion.includes('.istio.io/') && r.metadata.annotations?.[ALWAYS_REJECT] === 'true') {
    f.error(['metadata', 'annotations', ALWAYS_REJECT], `"${ALWAYS_REJECT}" annotation found, rejecting`)
  }
}

const ALWAYS_REJECT = 'internal.istio.io/webhook-always-reject'

function nameProblem(kind: string, apiVersion: string, name: string): string | undefined {
  if ((kind === 'Service' || kind === 'Namespace') && apiVersion === 'v1') {
    const ok = kind === 'Service' ? DNS1035_LABEL.test(name) : isDns1123Label(name)
    if (ok && name.length <= 63) return undefined
    return kind === 'Service'
      ? "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
      : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
  }
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined
  return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
}
