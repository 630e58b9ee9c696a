/**
 * @module api/crd-schemas — Istio's CRD schemas (generated into `schemas/istio-crds.json` by
 * `scripts/gen-schemas.ts`), looked up by apiVersion and kind.
 */
import { splitApiVersion } from './kinds.ts'
// A JSON module import, so `tsc -p tsconfig.build.json` copies the data into dist/ as well.
import data from './schemas/istio-crds.json' with { type: 'json' }

/** A Kubernetes structural schema node (OpenAPI v3 subset plus `x-kubernetes-*` markers). */
export interface StructuralSchema {
  type?: string
  properties?: Record<string, StructuralSchema>
  items?: StructuralSchema
  additionalProperties?: StructuralSchema | boolean
  required?: string[]
  enum?: unknown[]
  format?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: boolean | number
  exclusiveMaximum?: boolean | number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  maxProperties?: number
  pattern?: string
  nullable?: boolean
  oneOf?: StructuralSchema[]
  anyOf?: StructuralSchema[]
  allOf?: StructuralSchema[]
  not?: StructuralSchema
  'x-kubernetes-int-or-string'?: boolean
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-list-type'?: string
  'x-kubernetes-list-map-keys'?: string[]
  'x-kubernetes-validations'?: CelRule[]
}

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  rule: string
  message?: string
  messageExpression?: string
  fieldPath?: string
}

interface SchemaFile {
  attribution: Record<string, string>
  kinds: Record<string, Record<string, number>>
  schemas: StructuralSchema[]
}

const file = data as unknown as SchemaFile

function load(): SchemaFile {
  return file
}

/** Where the schemas come from (release, license, source file). */
export function schemaAttribution(): Record<string, string> {
  return load().attribution
}

/**
 * The schema of a kind at an apiVersion, with a stable id (versions sharing one schema share the id),
 * or undefined when the kind has no CRD schema (Kubernetes core kinds, legacy and ignored kinds).
 */
export function crdSchemaFor(
  apiVersion: string,
  kind: string,
): { id: number; schema: StructuralSchema } | undefined {
  const { group, version } = splitApiVersion(apiVersion)
  const f = load()
  const id = f.kinds[`${group}/${kind}`]?.[version]
  if (id === undefined) return undefined
  const schema = f.schemas[id]
  return schema ? { id, schema } : undefined
}
