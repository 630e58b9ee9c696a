/** @module controlplane/api/discovery — `/api`, `/apis`, `/api/v1`, `/apis/{g}/{v}`, `/version`: enough for a client to find resources. */
import { KINDS } from '../../api/kinds.ts'

/** `/api`: the core group's versions. */
export function apiVersions(): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }
}

/** `/apis`: every named group with its versions (the first listed is preferred). */
export function apiGroupList(): unknown {
  const groups = new Map<string, string[]>()
  for (const k of KINDS) {
    if (k.group === '') continue
    const vs = groups.get(k.group) ?? []
    for (const v of k.versions) if (!vs.includes(v)) vs.push(v)
    groups.set(k.group, vs)
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => {
      const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }))
      return { name, versions: list, preferredVersion: list.at(-1) }
    }),
  }
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']

/** `/api/v1` or `/apis/{g}/{v}`: the resources of one group version. */
export function apiResourceList(group: string, version: string): unknown {
  const resources = []
  for (const k of KINDS) {
    if (k.group !== group || !k.versions.includes(version)) continue
    resources.push({
      name: k.plural,
      singularName: k.kind.toLowerCase(),
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: VERBS,
      ...(k.short.length > 0 ? { shortNames: k.short } : {}),
    })
    resources.push({
      name: `${k.plural}/status`,
      singularName: '',
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: ['get', 'patch', 'update'],
    })
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources,
  }
}

/** `/version`, shaped as Kubernetes' version.Info. */
export function versionInfo(): unknown {
  return {
    major: '1',
    minor: '30',
    gitVersion: 'v1.30.0-weir.0.1.0',
    platform: `${process.platform}/${process.arch}`,
    goVersion: `node${process.versions.node}`,
  }
}
