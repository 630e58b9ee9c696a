/** @module controlplane/store/identity — what names an object in the store, and the normalised copy of what a client wrote. */
import { randomBytes } from 'node:crypto'
import { KINDS, type KindInfo, lookupKind, splitApiVersion } from '../../api/kinds.ts'
import { isObject } from './merge.ts'
import * as st from './status.ts'
import type { ApiStatus, KubeObject, ObjectRef } from './types.ts'

/** The identity key of an object. */
export function keyOf(ref: ObjectRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`
}

/** The reference of a stored object (group from its apiVersion). */
export function refOf(obj: KubeObject): ObjectRef {
  const { group } = splitApiVersion(obj.apiVersion)
  const ns = obj.metadata.namespace
  return { group, kind: obj.kind, ...(ns ? { namespace: ns } : {}), name: obj.metadata.name }
}

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Stand-in kind information for a group/kind Weir does not list. */
export function kindOf(ref: Pick<ObjectRef, 'group' | 'kind'>): KindInfo {
  return {
    group: ref.group,
    kind: ref.kind,
    versions: [],
    plural: `${ref.kind.toLowerCase()}s`,
    short: [],
    namespaced: true,
    status: 'active',
  }
}

/** Resolves the kind of a written object, fills the namespace, checks the name; the normalised copy or a Status. */
export function normalize(
  input: KubeObject,
): { ok: true; info: KindInfo; obj: KubeObject } | { ok: false; status: ApiStatus } {
  if (!isObject(input) || typeof input.apiVersion !== 'string' || typeof input.kind !== 'string') {
    return { ok: false, status: st.badRequest('Object is missing apiVersion or kind') }
  }
  const info = lookupKind(input.apiVersion, input.kind)
  if (!info) {
    const { version } = splitApiVersion(input.apiVersion)
    return {
      ok: false,
      status: st.badRequest(
        `no kind "${input.kind}" is registered for version "${input.apiVersion}" (version ${version})`,
      ),
    }
  }
  const obj = structuredClone(input)
  const meta = isObject(obj.metadata) ? obj.metadata : { name: '' }
  obj.metadata = meta as KubeObject['metadata']
  const ns: unknown = obj.metadata.namespace
  if (ns !== undefined && ns !== null && typeof ns !== 'string') {
    return {
      ok: false,
      status: st.invalid(info, typeof obj.metadata.name === 'string' ? obj.metadata.name : '', [
        { reason: 'FieldValueInvalid', field: 'metadata.namespace', message: 'must be a string' },
      ]),
    }
  }
  if (info.namespaced) obj.metadata.namespace = (ns as string | null | undefined) || 'default'
  else delete obj.metadata.namespace
  if (typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    const gen = obj.metadata.generateName
    if (typeof gen !== 'string' || gen === '') {
      return {
        ok: false,
        status: st.invalid(info, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'name or generateName is required',
          },
        ]),
      }
    }
    obj.metadata.name = gen + randomBytes(4).toString('hex').slice(0, 5)
  }
  return { ok: true, info, obj }
}

/** The kind information for a group and kind (any version). */
export function lookupKindByGroupKind(group: string, kind: string): KindInfo | undefined {
  return KINDS.find((x) => x.group === group && x.kind === kind)
}
