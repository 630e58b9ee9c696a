/**
 * @module compile/delegate — VirtualService delegation (Istio `MergeHTTPRoutes`): a root rule with
 * `delegate` is replaced by the delegate's rules, each match merged with the root's match (a delegate
 * match must narrow the root one, or that pair is dropped), root fields filling unset delegate fields.
 */
import { obj, str } from '../model/read.ts'
import type { ConfigEntry } from '../model/types.ts'
import { type CompileContext, configVisible } from './context.ts'

/** The delegate VirtualService a root rule names, when it exists and is exported to the root's namespace. */
export function findDelegate(
  ctx: CompileContext,
  root: ConfigEntry,
  rule: Record<string, unknown>,
): ConfigEntry | undefined {
  const d = obj(rule.delegate)
  const name = str(d?.name)
  if (!name) return undefined
  const ns = str(d?.namespace) ?? root.namespace
  return ctx.snapshot.virtualServices.find(
    (v) => v.name === name && v.namespace === ns && configVisible(v, root.namespace),
  )
}

const INHERITED = [
  'timeout',
  'retries',
  'fault',
  'mirror',
  'mirrorPercentage',
  'mirrorPercent',
  'mirrors',
  'rewrite',
  'corsPolicy',
  'headers',
] as const

/** The delegate rule with the root's policy fields where the delegate sets none; names joined `root-delegate`. */
export function mergedRule(
  root: Record<string, unknown>,
  delegate: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...delegate }
  for (const k of INHERITED) if (out[k] === undefined && root[k] !== undefined) out[k] = root[k]
  const rn = str(root.name)
  const dn = str(delegate.name)
  if (rn && dn) out.name = `${rn}-${dn}`
  else if (rn || dn) out.name = rn ?? dn
  return out
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function mergeUri(r: unknown, d: unknown): { ok: boolean; uri?: unknown } {
  const ro = obj(r)
  const dob = obj(d)
  if (!dob) return ro ? { ok: true, uri: ro } : { ok: true }
  if (!ro) return { ok: true, uri: dob }
  if (typeof ro.regex === 'string' || typeof dob.regex === 'string') return { ok: false }
  const dv = str(dob.prefix) ?? str(dob.exact) ?? ''
  if (typeof ro.prefix === 'string') return dv.startsWith(ro.prefix) ? { ok: true, uri: dob } : { ok: false }
  if (typeof ro.exact === 'string')
    return typeof dob.exact === 'string' && dob.exact === ro.exact ? { ok: true, uri: dob } : { ok: false }
  return { ok: true, uri: dob }
}

function mergeMaps(r: unknown, d: unknown): { ok: boolean; map?: Record<string, unknown> } {
  const ro = obj(r)
  const dob = obj(d)
  if (!ro && !dob) return { ok: true }
  const out: Record<string, unknown> = { ...(ro ?? {}) }
  for (const [k, v] of Object.entries(dob ?? {})) {
    if (k in out && !same(out[k], v)) return { ok: false }
    out[k] = v
  }
  return { ok: true, map: out }
}

/**
 * A root match AND a delegate match, or undefined when they conflict (the delegate does not narrow the
 * root: a different exact, a prefix outside the root's, a regex on either side, different values for
 * the same header/query/method/port). Config-time selectors come from the root.
 */
export function mergeMatch(
  root: Record<string, unknown> | undefined,
  delegate: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!root) return delegate ? { ...delegate } : {}
  if (!delegate) return { ...root }
  const out: Record<string, unknown> = { ...root }
  const uri = mergeUri(root.uri, delegate.uri)
  if (!uri.ok) return undefined
  if (uri.uri !== undefined) out.uri = uri.uri
  for (const k of ['scheme', 'method', 'authority', 'port'] as const) {
    if (delegate[k] === undefined) continue
    if (root[k] !== undefined && !same(root[k], delegate[k])) return undefined
    out[k] = delegate[k]
  }
  for (const k of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    const m = mergeMaps(root[k], delegate[k])
    if (!m.ok) return undefined
    if (m.map) out[k] = m.map
  }
  if (delegate.ignoreUriCase === true) out.ignoreUriCase = true
  if (str(delegate.name))
    out.name = str(root.name) ? `${str(root.name)}-${str(delegate.name)}` : delegate.name
  return out
}
