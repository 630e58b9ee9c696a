/** @module controlplane/store/admission — every write is checked as the API server would before it is stored. */

import { type Diagnostic, formatSource } from '../../api/diagnostics.ts'
import type { KindInfo } from '../../api/kinds.ts'
import { parseText } from '../../api/load.ts'
import type { Origin, Resource } from '../../api/resource.ts'
import { posOf } from '../../api/resource.ts'
import { validateResource } from '../../api/validate.ts'
import type { KubeObject, StatusCause, WriteOptions } from './types.ts'

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** `spec.http[0].route` → `['spec','http',0,'route']`. */
export function parseFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = []
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]))
    else if (m[1] !== undefined) out.push(m[1])
  }
  return out
}

/** The origin of the object inside the YAML the client sent, when it sent it. */
function originFrom(obj: KubeObject, source: WriteOptions['source']): Origin | undefined {
  if (!source) return undefined
  const loaded = parseText(source.text, source.file).resources
  const same = loaded.find((r) => r.kind === obj.kind && r.metadata.name === obj.metadata.name)
  return (same ?? (loaded.length === 1 ? loaded[0] : undefined))?.origin
}

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Labels and annotations: maps of strings; label keys and values as Kubernetes allows them. */
function metadataCauses(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = []
  for (const field of ['labels', 'annotations'] as const) {
    const m: unknown = obj.metadata[field]
    if (m === undefined || m === null) continue
    if (typeof m !== 'object' || Array.isArray(m)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `metadata.${field}`,
        message: 'must be a map of strings',
      })
      continue
    }
    for (const [k, v] of Object.entries(m)) {
      const path = `metadata.${field}.${k}`
      if (typeof v !== 'string') {
        causes.push({
          reason: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: ${JSON.stringify(v)}: must be a string (quote it in YAML)`,
        })
      } else if (field === 'labels' && (!LABEL_KEY.test(k) || k.length > 316)) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: "${k}": not a valid label key`,
        })
      } else if (field === 'labels' && (!LABEL_VALUE.test(v) || v.length > 63)) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63)`,
        })
      }
    }
  }
  return causes
}

/** Checks a name as Kubernetes does (DNS-1123 label for namespaces, subdomain otherwise). */
function nameCauses(info: KindInfo, name: string): StatusCause[] {
  const re = info.kind === 'Namespace' ? LABEL : SUBDOMAIN
  const max = info.kind === 'Namespace' ? 63 : 253
  if (name.length > max) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `must be no more than ${max} characters`,
      },
    ]
  }
  if (!re.test(name)) {
    const what = info.kind === 'Namespace' ? 'RFC 1123 label' : 'RFC 1123 subdomain'
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ]
  }
  return []
}

/** Validates one resource (`validateResource` from `src/api/validate.ts` unless a store is given another). */
export type Validator = (resource: Resource) => Diagnostic[]

/** The result of admission: Error diagnostics as Status causes (none: it may be stored), and warnings. */
export interface Admission {
  causes: StatusCause[]
  warnings: string[]
}

/** Checks one object before it is stored. */
export function admit(
  info: KindInfo,
  obj: KubeObject,
  opts: WriteOptions,
  validate: Validator = validateResource,
): Admission {
  const origin = originFrom(obj, opts.source)
  const namePos = origin?.at ? origin.at(['metadata', 'name']) : origin
  const causes = nameCauses(info, obj.metadata.name).map((c) =>
    namePos ? { ...c, source: formatSource(namePos) } : c,
  )
  for (const c of metadataCauses(obj)) {
    const pos = origin?.at ? origin.at(parseFieldPath(c.field ?? '')) : undefined
    causes.push(pos ? { ...c, source: formatSource(pos) } : c)
  }
  const resource: Resource = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: obj.metadata,
    body: obj,
    ...(origin ? { origin } : {}),
  }
  let diags: Diagnostic[]
  try {
    diags = validate(resource)
  } catch (err) {
    // A validator bug must not take the API server down; refuse the write and say why.
    const message = err instanceof Error ? err.message : String(err)
    return {
      causes: [...causes, { reason: 'InternalError', message: `validation failed: ${message}` }],
      warnings: [],
    }
  }
  const warnings: string[] = []
  for (const d of diags) {
    if (d.severity === 'Warning') {
      warnings.push(d.path ? `${d.path}: ${d.message}` : d.message)
      continue
    }
    if (d.severity !== 'Error') continue
    const pos = d.source ?? (d.path !== undefined ? posOf(resource, parseFieldPath(d.path)) : undefined)
    causes.push({
      reason: 'FieldValueInvalid',
      message: d.message,
      ...(d.path !== undefined ? { field: d.path } : {}),
      ...(pos ? { source: formatSource(pos) } : {}),
    })
  }
  return { causes, warnings }
}
