/** @module runtime/net/hosts — a pod's /etc/hosts: the names cluster DNS would answer, and host aliases. */
import { writeFileSync } from 'node:fs'

/** One name set pointing at one address. */
export interface HostsEntry {
  address: string
  names: string[]
}

/** The names cluster DNS gives a Service, as seen from a pod in `fromNamespace` (short name only in the same namespace). */
export function serviceNames(name: string, namespace: string, fromNamespace: string): string[] {
  const names = [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]
  return namespace === fromNamespace ? [name, ...names] : names
}

/** The text of a hosts file. */
export function renderHosts(podName: string, podIP: string, entries: readonly HostsEntry[]): string {
  const lines = [
    '# Kubernetes-managed hosts file (weir).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `${podIP}\t${podName}`,
  ]
  for (const e of entries) if (e.names.length > 0) lines.push(`${e.address}\t${e.names.join(' ')}`)
  return `${lines.join('\n')}\n`
}

/** Rewrites a hosts file in place (same inode: it is bind-mounted into running pods). */
export function writeHostsFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o644 })
}
