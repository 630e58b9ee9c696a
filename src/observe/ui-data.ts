/**
 * @module observe/ui-data — what the dashboard shows besides the graph: each VirtualService's rules in
 * order with every destination's share, all Istio config with analyzer messages, and traffic shifting
 * (new weights → YAML diff → replace in the store).
 */
import { stringify } from 'yaml'
import { ANALYZERS } from '../analyze/registry.ts'
import { runAnalyzers } from '../analyze/run.ts'
import type { Resource } from '../api/resource.ts'
import type { Store } from '../controlplane/store/store.ts'
import type { KubeObject } from '../controlplane/store/types.ts'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** One destination of a rule with its share of the rule's traffic (0..100). */
export interface RouteShare {
  host: string
  subset?: string
  port?: number
  weight: number
}

/** One `http` rule of a VirtualService. */
export interface RuleView {
  index: number
  name?: string
  match: string
  routes: RouteShare[]
}

/** A VirtualService as the dashboard lists it. */
export interface ServiceRoutes {
  namespace: string
  name: string
  hosts: string[]
  gateways: string[]
  rules: RuleView[]
}

function matchText(m: Obj): string {
  const parts: string[] = []
  for (const [field, v] of Object.entries(m)) {
    const o = obj(v)
    if (field === 'headers' && o) {
      for (const [h, cond] of Object.entries(o)) {
        const c = obj(cond) ?? {}
        for (const [op, val] of Object.entries(c)) parts.push(`header ${h} ${op} ${String(val)}`)
      }
    } else if (o) {
      for (const [op, val] of Object.entries(o)) parts.push(`${field} ${op} ${String(val)}`)
    } else if (field !== 'name') parts.push(`${field}=${JSON.stringify(v)}`)
  }
  return parts.join(' and ')
}

/** The rules of every VirtualService, in order; shares follow Istio (one destination without weight: 100). */
export function serviceRoutes(store: Store): ServiceRoutes[] {
  const listed = store.list({ group: 'networking.istio.io', kind: 'VirtualService' })
  if (!listed.ok) return []
  return listed.items.map((vs) => {
    const spec = obj(vs.spec) ?? {}
    return {
      namespace: vs.metadata.namespace ?? 'default',
      name: vs.metadata.name,
      hosts: arr(spec.hosts).map(String),
      gateways: arr(spec.gateways).map(String),
      rules: arr(spec.http).map((r, index): RuleView => {
        const rule = obj(r) ?? {}
        const matches = arr(rule.match).map((m) => matchText(obj(m) ?? {}))
        const routes = arr(rule.route).map((d) => {
          const dst = obj(obj(d)?.destination) ?? {}
          const share: RouteShare = { host: String(dst.host ?? ''), weight: Number(obj(d)?.weight ?? 0) }
          if (typeof dst.subset === 'string') share.subset = dst.subset
          const port = obj(dst.port)?.number
          if (typeof port === 'number') share.port = port
          return share
        })
        if (routes.length === 1 && routes[0]!.weight === 0) routes[0]!.weight = 100
        const view: RuleView = {
          index,
          match: matches.length === 0 ? 'any request' : matches.map((m) => m || 'any request').join(' OR '),
          routes,
        }
        if (typeof rule.name === 'string') view.name = rule.name
        return view
      }),
    }
  })
}

/** One config object with the analyzer messages about it. */
export interface ConfigView {
  kind: string
  namespace: string
  name: string
  messages: { code: string; level: string; text: string }[]
}

const ISTIO_GROUPS = /(^|\.)istio\.io$/

function toResource(o: KubeObject): Resource {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, body: o as Obj }
}

/** Istio config (and Services) in the store, with `istioctl analyze` messages; messages about no object go under `-`. */
export function configWithMessages(store: Store): ConfigView[] {
  const listed = store.list()
  if (!listed.ok) return []
  const resources = listed.items.map(toResource)
  const { messages } = runAnalyzers(resources, { analyzers: ANALYZERS, skipWithoutInputs: true })
  const views = new Map<Resource, ConfigView>()
  const out: ConfigView[] = []
  for (const r of resources) {
    const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0]! : ''
    if (!ISTIO_GROUPS.test(group) && r.kind !== 'Service') continue
    const v: ConfigView = {
      kind: r.kind,
      namespace: r.metadata.namespace ?? '',
      name: r.metadata.name,
      messages: [],
    }
    views.set(r, v)
    out.push(v)
  }
  for (const m of messages) {
    const v = m.resource ? views.get(m.resource) : undefined
    const entry = { code: m.code, level: m.level, text: m.text }
    if (v) v.messages.push(entry)
    else if (m.resource)
      out.push({
        kind: m.resource.kind,
        namespace: m.resource.metadata.namespace ?? '',
        name: m.resource.metadata.name,
        messages: [entry],
      })
  }
  return out
}

/** A traffic-shift request: new weights for the destinations of one rule, in order. */
export interface ShiftRequest {
  namespace: string
  name: string
  rule: number
  weights: number[]
  dryRun?: boolean
}

/** Line diff of two YAML texts (`-`/`+`/` ` prefixes), by longest common subsequence. */
export function lineDiff(a: string, b: string): string {
  const x = a.split('\n')
  const y = b.split('\n')
  const n = x.length
  const m = y.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      out.push(`  ${x[i]}`)
      i++
      j++
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${y[j++]}`)
    else out.push(`- ${x[i++]}`)
  }
  return out.join('\n')
}

function specYaml(o: KubeObject): string {
  return stringify({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
    spec: o.spec,
  })
}

/** Applies (or, with `dryRun`, only previews) new weights. Never throws; errors name the field. */
export function shiftTraffic(
  store: Store,
  req: ShiftRequest,
): { ok: true; diff: string; applied: boolean } | { ok: false; status: number; error: string } {
  const current = store.get({
    group: 'networking.istio.io',
    kind: 'VirtualService',
    namespace: req.namespace,
    name: req.name,
  })
  if (!current)
    return { ok: false, status: 404, error: `VirtualService ${req.namespace}/${req.name} not found` }
  const rule = obj(arr(obj(current.spec)?.http)[req.rule])
  if (!rule) return { ok: false, status: 400, error: `spec.http[${req.rule}]: no such rule` }
  const routes = arr(rule.route)
  if (!Array.isArray(req.weights) || req.weights.length !== routes.length)
    return {
      ok: false,
      status: 400,
      error: `weights: want ${routes.length} numbers, one per destination of spec.http[${req.rule}].route`,
    }
  if (req.weights.some((w) => !Number.isInteger(w) || w < 0 || w > 100))
    return { ok: false, status: 400, error: 'weights: each must be an integer from 0 to 100' }
  if (req.weights.reduce((a, b) => a + b, 0) !== 100)
    return { ok: false, status: 400, error: 'weights: must add up to 100' }
  const next = structuredClone(current) as KubeObject
  const nextRoutes = arr(obj(arr(obj(next.spec)?.http)[req.rule])?.route)
  nextRoutes.forEach((r, i) => {
    const o = obj(r)
    if (o) o.weight = req.weights[i]
  })
  const diff = lineDiff(specYaml(current), specYaml(next))
  const result = store.replace(next, { dryRun: req.dryRun === true })
  if (!result.ok) return { ok: false, status: result.status.code ?? 422, error: result.status.message }
  return { ok: true, diff, applied: req.dryRun !== true }
}
