/** @module api/k8s-path — field paths and values worded as the Kubernetes API server words them. */
import type { StructuralSchema } from './crd-schemas.ts'

/** One step of a field path: a property name or map key (string), or a list index (number). */
export type Segment = string | number

/**
 * A field path in Kubernetes style: properties as `.name`, list items as `[0]`, map keys as `[key]`
 * (`spec.portLevelMtls[80].mode`). The schema tells map keys from properties.
 */
export function k8sPath(path: readonly Segment[], schema: StructuralSchema | undefined): string {
  let out = ''
  let s: StructuralSchema | undefined = schema
  for (const seg of path) {
    if (typeof seg === 'number') {
      out += `[${seg}]`
      s = s?.items
      continue
    }
    const prop = s?.properties?.[seg]
    if (prop || !s || typeof s.additionalProperties !== 'object') {
      out += out === '' ? seg : `.${seg}`
      s = prop
    } else {
      out += `[${seg}]`
      s = s.additionalProperties
    }
  }
  return out === '' ? '<root>' : out
}

/** The JSON type name of a value as Kubernetes prints it (`object`, `string`, `integer`, `null`, …). */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

/** A value in an `Invalid value: …` message: scalars as JSON, objects and lists by type name. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"'
  if (typeof v === 'object') return `"${typeName(v)}"`
  return JSON.stringify(v)
}
