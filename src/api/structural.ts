/**
 * @module api/structural — Kubernetes structural-schema validation of Istio resources with ajv:
 * converts a CRD schema to JSON Schema once per kind (cached), validates, and words the errors the way
 * the Kubernetes API server does (`spec.hosts: Required value`, `unknown field "spec.foo"`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import * as formatsModule from 'ajv-formats'
import type { StructuralSchema } from './crd-schemas.ts'
import { describeValue, k8sPath, type Segment, typeName } from './k8s-path.ts'

/** One structural problem: where (segments) and the Kubernetes-style message. */
export interface SchemaProblem {
  path: Segment[]
  message: string
  /** A rule about the object as a whole (a CEL rule): it does not speak for the fields inside it. */
  wholeObject?: boolean
}

type JsonSchema = Record<string, unknown>

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv,
  formats: string[],
) => void

let ajv: Ajv | undefined
const compiled = new Map<number, ValidateFunction>()

function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({
      allErrors: true,
      verbose: true,
      strict: false,
      validateSchema: false,
      addUsedSchema: false,
    })
    addFormats(ajv, ['date-time', 'byte'])
  }
  return ajv
}

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } }

/** Kubernetes ObjectMeta as the API server decodes it: unknown fields are errors, labels are strings. */
const OBJECT_META: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    selfLink: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string', nullable: true },
    deletionTimestamp: { type: 'string', nullable: true },
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: STRING_MAP,
    annotations: STRING_MAP,
    ownerReferences: { type: 'array', items: { type: 'object' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object' } },
  },
}

/** JSON-Schema formats the Kubernetes API server checks on strings; other formats are ignored. */
const STRING_FORMATS = new Set(['date-time', 'byte'])

/** Converts a Kubernetes structural schema to the JSON Schema ajv validates. */
export function toJsonSchema(s: StructuralSchema, root = false): JsonSchema {
  const out: JsonSchema = {}
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-')) continue
    switch (k) {
      case 'properties': {
        const props: JsonSchema = {}
        for (const [name, child] of Object.entries(v as Record<string, StructuralSchema>)) {
          props[name] = toJsonSchema(child)
        }
        out.properties = props
        break
      }
      case 'items':
      case 'not':
        out[k] = toJsonSchema(v as StructuralSchema)
        break
      case 'additionalProperties':
        out[k] = typeof v === 'boolean' ? v : toJsonSchema(v as StructuralSchema)
        break
      case 'oneOf':
      case 'anyOf':
      case 'allOf':
        out[k] = (v as StructuralSchema[]).map((x) => toJsonSchema(x))
        break
      case 'format':
        if (STRING_FORMATS.has(v as string)) out.format = v
        break
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        // OpenAPI 3.0 booleans qualify minimum/maximum; JSON Schema wants the bound itself.
        if (v === true) out[k] = k === 'exclusiveMinimum' ? s.minimum : s.maximum
        else if (typeof v === 'number') out[k] = v
        break
      case 'default':
        break
      default:
        out[k] = v
    }
  }
  if (out.exclusiveMinimum !== undefined) delete out.minimum
  if (out.exclusiveMaximum !== undefined) delete out.maximum
  if (s['x-kubernetes-int-or-string']) delete out.type
  const isObject = s.type === 'object' || root
  if (isObject && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false
  }
  if (root) {
    const props = (out.properties ?? {}) as JsonSchema
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META,
      ...props,
    }
  }
  return out
}

/** The ajv validator for a schema id (compiled on first use). */
function validatorFor(id: number, schema: StructuralSchema): ValidateFunction {
  let v = compiled.get(id)
  if (!v) {
    v = getAjv().compile(toJsonSchema(schema, true))
    compiled.set(id, v)
  }
  return v
}

/** Validates a whole object against a CRD schema; one problem per broken field. */
export function validateStructure(body: unknown, id: number, schema: StructuralSchema): SchemaProblem[] {
  const validate = validatorFor(id, schema)
  if (validate(body)) return []
  return describeErrors(validate.errors ?? [], body, schema)
}

function segmentsOf(pointer: string, body: unknown): Segment[] {
  if (pointer === '') return []
  const out: Segment[] = []
  let node: unknown = body
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) {
      const i = Number(key)
      out.push(i)
      node = node[i]
    } else {
      out.push(key)
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined
    }
  }
  return out
}

function valueAt(body: unknown, path: readonly Segment[]): unknown {
  let node = body
  for (const s of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string | number, unknown>)[s]
  }
  return node
}

/** Paths inside a oneOf/anyOf/not branch: those errors only explain why a branch failed. */
const BRANCH = /\/(oneOf|anyOf|not)\//

function describeErrors(errors: ErrorObject[], body: unknown, root: StructuralSchema): SchemaProblem[] {
  const out: SchemaProblem[] = []
  const seen = new Set<string>()
  // Most specific first: a broken field's own error beats a oneOf complaint about its parent.
  const kept = errors.filter((e) => !BRANCH.test(e.schemaPath))
  for (const e of kept) {
    const base = segmentsOf(e.instancePath, body)
    const p = problemOf(e, base, body, root)
    if (!p) continue
    // One problem per field: the first (type, bounds and length come before pattern in ajv's order).
    const key = k8sPath(p.path, root)
    if (seen.has(key)) continue
    seen.add(key)
    out.push(p)
  }
  // A oneOf/anyOf failure on an object is dropped when a field inside it has its own error.
  return out.filter(
    (p, i) =>
      !(p as SchemaProblem & { combinator?: boolean }).combinator ||
      !out.some((q, j) => j !== i && isUnder(q.path, p.path) && q.path.length > p.path.length),
  )
}

function isUnder(path: readonly Segment[], parent: readonly Segment[]): boolean {
  return parent.every((s, i) => path[i] === s)
}

function problemOf(
  e: ErrorObject,
  base: Segment[],
  body: unknown,
  root: StructuralSchema,
): (SchemaProblem & { combinator?: boolean }) | undefined {
  const value = valueAt(body, base)
  const at = k8sPath(base, root)
  const params = e.params as Record<string, unknown>
  const invalid = (detail: string) => `${at}: Invalid value: ${describeValue(value)}: ${at} in body ${detail}`
  switch (e.keyword) {
    case 'additionalProperties': {
      const path = [...base, String(params.additionalProperty)]
      return { path, message: `unknown field "${k8sPath(path, root)}"` }
    }
    case 'required': {
      const path = [...base, String(params.missingProperty)]
      return { path, message: `${k8sPath(path, root)}: Required value` }
    }
    case 'type':
      return {
        path: base,
        message: `${at}: Invalid value: "${typeName(value)}": ${at} in body must be of type ${String(params.type)}: "${typeName(value)}"`,
      }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')
      return {
        path: base,
        message: `${at}: Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed}`,
      }
    }
    case 'minimum':
      return { path: base, message: invalid(`should be greater than or equal to ${String(params.limit)}`) }
    case 'exclusiveMinimum':
      return { path: base, message: invalid(`should be greater than ${String(params.limit)}`) }
    case 'maximum':
      return { path: base, message: invalid(`should be less than or equal to ${String(params.limit)}`) }
    case 'exclusiveMaximum':
      return { path: base, message: invalid(`should be less than ${String(params.limit)}`) }
    case 'minLength':
      return { path: base, message: invalid(`should be at least ${String(params.limit)} chars long`) }
    case 'maxLength':
      return { path: base, message: `${at}: Too long: may not be more than ${String(params.limit)} bytes` }
    case 'pattern':
      return { path: base, message: invalid(`should match '${String(params.pattern)}'`) }
    case 'format':
      return {
        path: base,
        message: invalid(`must be of type ${String(params.format)}: ${describeValue(value)}`),
      }
    case 'minItems':
      return { path: base, message: `${at} in body should have at least ${String(params.limit)} items` }
    case 'maxItems': {
      const n = Array.isArray(value) ? value.length : 0
      return { path: base, message: `${at}: Too many: ${n}: must have at most ${String(params.limit)} items` }
    }
    case 'minProperties':
      return { path: base, message: `${at} in body should have at least ${String(params.limit)} properties` }
    case 'maxProperties':
      return { path: base, message: `${at} in body should have at most ${String(params.limit)} properties` }
    case 'oneOf':
      return { path: base, message: oneOfMessage(e, at, value), combinator: true }
    case 'anyOf':
      return {
        path: base,
        message: `${at}: Invalid value: "${typeName(value)}": ${at} in body must be of type integer,string: "${typeName(value)}"`,
        combinator: true,
      }
    case 'not':
      return {
        path: base,
        message: `${at}: Invalid value: ${describeValue(value)}: ${at} in body must not match the schema`,
        combinator: true,
      }
    default:
      return {
        path: base,
        message: `${at}: Invalid value: ${describeValue(value)}: ${e.message ?? e.keyword}`,
      }
  }
}

/**
 * Istio writes "at most one of these fields" as `oneOf: [not anyOf required…, required a, required b…]`.
 * Name the fields that clash instead of the bare "must validate one and only one schema".
 */
function oneOfMessage(e: ErrorObject, at: string, value: unknown): string {
  const branches = (e.parentSchema as { oneOf?: { required?: string[] }[] } | undefined)?.oneOf ?? []
  const fields = branches.flatMap((b) => b.required ?? [])
  const set = value !== null && typeof value === 'object' ? fields.filter((f) => f in (value as object)) : []
  const detail =
    fields.length > 0 && set.length > 1
      ? `only one of ${fields.join(', ')} may be set, found ${set.join(' and ')}`
      : 'must validate one and only one schema (oneOf)'
  return `${at}: Invalid value: "${typeName(value)}": ${at} in body ${detail}`
}
