/**
 * @module api/cel-rules — evaluates the `x-kubernetes-validations` CEL rules of a CRD schema with
 * `@bufbuild/cel`, in the Kubernetes CEL environment as far as Istio's rules need it (`url()`, `isURL()`,
 * Go-style `int()` errors), and checks `x-kubernetes-list-type` uniqueness. Programs are compiled once
 * per rule text and cached. Rules on `oldSelf` (transition rules) are skipped: there is no old object.
 */
import { type CelEnv, CelScalar, celEnv, celFunc, celMethod, isCelError, parse, plan } from '@bufbuild/cel'
import { strings } from '@bufbuild/cel/ext'
import { RE2JS } from 're2js'
import type { CelRule, StructuralSchema } from './crd-schemas.ts'
import { k8sPath, type Segment } from './k8s-path.ts'
import type { SchemaProblem } from './structural.ts'

type Program = (ctx: { self: unknown }) => unknown

/** Go's `url.ParseRequestURI` in spirit: an absolute URL with a scheme, or an absolute path. */
function isUrl(s: string): boolean {
  if (s.startsWith('/')) return true
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false
  return URL.canParse(s)
}

const k8sFuncs = [
  celFunc('int', [CelScalar.STRING], CelScalar.INT, (s: string) => {
    if (!/^[+-]?\d+$/.test(s)) throw new Error("type conversion error from 'string' to 'int'")
    return BigInt(s)
  }),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, isUrl),
  celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
    if (!isUrl(s)) throw new Error(`URL parse error during conversion from string: ${s}`)
    return s
  }),
  celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(this)
    return m?.[1] ? m[1].toLowerCase() : ''
  }),
]

let env: CelEnv | undefined
const programs = new Map<string, Program | Error>()

function getEnv(): CelEnv {
  if (!env) {
    env = celEnv({
      funcs: [...strings, ...k8sFuncs],
      re2: {
        compile(pattern: string) {
          const re = RE2JS.compile(pattern)
          return { test: (text: string) => re.matcher(text).find() }
        },
      },
    })
  }
  return env
}

function programFor(rule: string): Program | Error {
  let p = programs.get(rule)
  if (!p) {
    try {
      p = plan(getEnv(), parse(rule)) as unknown as Program
    } catch (err) {
      p = err instanceof Error ? err : new Error(String(err))
    }
    programs.set(rule, p)
  }
  return p
}

/** The Kubernetes type name of the value a rule's `self` is bound to. */
function selfType(s: StructuralSchema, v: unknown): string {
  if (s.type) return s.type
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' ? 'string' : 'integer'
  return Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v
}

function evalRule(r: CelRule, self: unknown): { ok: true } | { ok: false; error?: string } {
  if (/\boldSelf\b/.test(r.rule)) return { ok: true }
  const p = programFor(r.rule)
  if (p instanceof Error) return { ok: false, error: `compilation error: ${p.message}` }
  let result: unknown
  try {
    result = p({ self })
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
  if (isCelError(result)) return { ok: false, error: result.message }
  return result === true ? { ok: true } : { ok: false }
}

/**
 * Walks an object along its schema and returns one problem per failed CEL rule or duplicated list entry.
 * Call only on objects that passed structural validation (as the API server does).
 */
export function checkCelRules(body: unknown, root: StructuralSchema): SchemaProblem[] {
  const out: SchemaProblem[] = []
  walk(body, root, [], root, out)
  return out
}

function walk(
  v: unknown,
  s: StructuralSchema,
  path: Segment[],
  root: StructuralSchema,
  out: SchemaProblem[],
): void {
  if (v === null || v === undefined) return
  const rules = s['x-kubernetes-validations']
  if (rules) {
    for (const r of rules) {
      const res = evalRule(r, v)
      if (res.ok) continue
      const where = r.fieldPath ? k8sPath(path, root) + r.fieldPath : k8sPath(path, root)
      const msg = r.message ?? `failed rule: ${r.rule}`
      const detail = res.error ? `${msg}: ${res.error}` : msg
      out.push({
        path,
        message: `${where}: Invalid value: "${selfType(s, v)}": ${detail}`,
        wholeObject: true,
      })
    }
  }
  if (Array.isArray(v)) {
    checkListType(v, s, path, root, out)
    const items = s.items
    if (items)
      v.forEach((item, i) => {
        walk(item, items, [...path, i], root, out)
      })
    return
  }
  if (typeof v !== 'object') return
  const obj = v as Record<string, unknown>
  for (const [k, child] of Object.entries(obj)) {
    const cs =
      s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined)
    if (cs) walk(child, cs, [...path, k], root, out)
  }
}

function checkListType(
  list: unknown[],
  s: StructuralSchema,
  path: Segment[],
  root: StructuralSchema,
  out: SchemaProblem[],
): void {
  const type = s['x-kubernetes-list-type']
  if (type !== 'set' && type !== 'map') return
  const keys = s['x-kubernetes-list-map-keys'] ?? []
  const seen = new Set<string>()
  list.forEach((item, i) => {
    const key =
      type === 'set'
        ? JSON.stringify(item)
        : JSON.stringify(
            Object.fromEntries(keys.map((k) => [k, (item as Record<string, unknown> | null)?.[k] ?? null])),
          )
    if (seen.has(key)) {
      out.push({ path: [...path, i], message: `${k8sPath([...path, i], root)}: Duplicate value: ${key}` })
    }
    seen.add(key)
  })
}
