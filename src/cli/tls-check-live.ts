/**
 * @module cli/tls-check-live — the resources `weir tls-check` reads from a running control plane:
 * Services, Pods, workload controllers, Namespaces and the Istio security/networking config it judges.
 */
import { KINDS, type KindInfo } from '../api/kinds.ts'
import type { Resource } from '../api/resource.ts'
import { EXIT } from './exit-codes.ts'
import { getJson, resolveTarget, type TargetFlags } from './format/target.ts'
import { collectionPath } from './kube/resources.ts'
import type { ResourceSource } from './tls-check.ts'

/** The kinds tls-check looks at (`group/Kind`). */
const WANTED = [
  '/Namespace',
  '/Service',
  '/Pod',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'networking.istio.io/DestinationRule',
  'security.istio.io/PeerAuthentication',
  'authentication.istio.io/Policy',
]

interface ListBody {
  items?: unknown[]
}

/** One listed object as a Resource (list items may omit apiVersion/kind, as in Kubernetes). */
function toResource(item: unknown, info: KindInfo, version: string): Resource | undefined {
  if (item === null || typeof item !== 'object') return undefined
  const o = item as Record<string, unknown>
  const meta = o.metadata as Resource['metadata'] | undefined
  if (!meta || typeof meta.name !== 'string') return undefined
  const apiVersion =
    typeof o.apiVersion === 'string' ? o.apiVersion : info.group ? `${info.group}/${version}` : version
  const kind = typeof o.kind === 'string' ? o.kind : info.kind
  const body = { ...o, apiVersion, kind }
  return { apiVersion, kind, metadata: meta, body }
}

/**
 * A source reading every namespace's objects of the wanted kinds from the control plane named by the
 * flags (`--server`/`--token`/`--state`, or their environment variables). A kind the server does not
 * serve (404) is skipped; any other failure is an error.
 */
export function liveSource(flags: TargetFlags): ResourceSource {
  return async () => {
    const t = resolveTarget(flags)
    if (!t.ok) return { error: t.error, exitCode: EXIT.FAILED }
    const infos = WANTED.map((w) => {
      const [group, kind] = w.split('/') as [string, string]
      return KINDS.find((k) => k.group === group && k.kind === kind)
    }).filter((k): k is KindInfo => k !== undefined)
    const lists = await Promise.all(
      infos.map(async (info) => ({
        info,
        got: await getJson<ListBody>(t.target, collectionPath(info, undefined)),
      })),
    )
    const resources: Resource[] = []
    for (const { info, got } of lists) {
      if (!got.ok) {
        if (got.status === 404) continue
        return { error: got.error, exitCode: EXIT.FAILED }
      }
      const version = info.versions[0] ?? 'v1'
      for (const item of got.body.items ?? []) {
        const r = toResource(item, info, version)
        if (r) resources.push(r)
      }
    }
    return { resources, problems: [] }
  }
}
