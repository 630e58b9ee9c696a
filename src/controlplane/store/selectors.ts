/** @module controlplane/store/selectors — Kubernetes label selectors and the metadata field selectors. */
import type { KubeObject } from './types.ts'

/** One requirement of a label selector. */
interface Requirement {
  key: string
  op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | '!exists'
  values: string[]
}

/** A compiled selector: a predicate, or the reason the text does not parse. */
export type Selector = { ok: true; matches: (obj: KubeObject) => boolean } | { ok: false; error: string }

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/

/** Splits at top-level commas (not inside `( … )`). */
function splitTop(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out.map((s) => s.trim()).filter((s) => s !== '')
}

function parseRequirement(text: string): Requirement | string {
  let m = /^!\s*(\S+)$/.exec(text)
  if (m) return { key: m[1]!, op: '!exists', values: [] }
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text)
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim())
    return { key: m[1]!, op: m[2] === 'in' ? 'in' : 'notin', values }
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text)
  if (m) return { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] }
  if (/^\S+$/.test(text)) return { key: text, op: 'exists', values: [] }
  return `unable to parse requirement: "${text}"`
}

function test(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key)
  const v = labels[r.key]
  switch (r.op) {
    case 'exists':
      return has
    case '!exists':
      return !has
    case 'eq':
      return has && v === r.values[0]
    case 'ne':
      return !has || v !== r.values[0]
    case 'in':
      return has && r.values.includes(v!)
    case 'notin':
      return !has || !r.values.includes(v!)
  }
}

/** Parses a label selector (`app=x,version in (v1,v2),!canary`); empty text selects everything. */
export function parseLabelSelector(text: string | undefined): Selector {
  const reqs: Requirement[] = []
  for (const part of splitTop(text ?? '')) {
    const r = parseRequirement(part)
    if (typeof r === 'string') return { ok: false, error: r }
    if (!KEY.test(r.key)) return { ok: false, error: `invalid label key "${r.key}"` }
    reqs.push(r)
  }
  return {
    ok: true,
    matches: (obj) => {
      const labels = obj.metadata.labels ?? {}
      return reqs.every((r) => test(r, labels))
    },
  }
}

/** Parses a field selector over `metadata.name` and `metadata.namespace` (`=`, `==`, `!=`). */
export function parseFieldSelector(text: string | undefined): Selector {
  const checks: ((obj: KubeObject) => boolean)[] = []
  for (const part of splitTop(text ?? '')) {
    const m = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(part)
    if (!m) return { ok: false, error: `invalid selector: '${part}'; can't understand '${part}'` }
    const [, field, op, value] = m
    const get =
      field === 'metadata.name'
        ? (o: KubeObject) => o.metadata.name
        : field === 'metadata.namespace'
          ? (o: KubeObject) => o.metadata.namespace ?? ''
          : undefined
    if (!get) return { ok: false, error: `field label not supported: ${field}` }
    checks.push(op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value)
  }
  return { ok: true, matches: (obj) => checks.every((c) => c(obj)) }
}
