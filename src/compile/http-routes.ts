/** @module compile/http-routes — VirtualService `http[]` rules → ordered routes for one proxy and port. */
import { parseDurationMs } from '../model/duration.ts'
import { arr, num, obj, str } from '../model/read.ts'
import type { ConfigEntry } from '../model/types.ts'
import type { Route, RouteAction, RouteMatch, RoutePolicy } from '../proxyconfig/types.ts'
import { type CompileContext, warn } from './context.ts'
import { findDelegate, mergedRule, mergeMatch } from './delegate.ts'
import { hashPolicyOf, policyFor, ruleFor } from './destination-rule.ts'
import { backends, destinationCluster, mirrors } from './destinations.ts'
import {
  builtinRetry,
  convertCors,
  convertFault,
  convertHeaders,
  convertRetry,
  convertRewrite,
} from './policy.ts'
import { boundGateways, convertMatch, isCatchAll, matchApplies, type RouteScope } from './route-match.ts'

/** The mesh default retry policy (mesh `defaultHttpRetryPolicy` over Istio's built-in one). */
export function defaultRetry(ctx: CompileContext): ReturnType<typeof builtinRetry> | undefined {
  const mesh = ctx.snapshot.mesh.defaultHttpRetryPolicy
  return mesh ? convertRetry(mesh, builtinRetry()) : builtinRetry()
}

function action(
  ctx: CompileContext,
  vs: ConfigEntry,
  rule: Record<string, unknown>,
  port: number,
  at: (string | number)[],
): RouteAction {
  const redirect = obj(rule.redirect)
  if (redirect) {
    const derive = str(redirect.derivePort)
    const explicit = num(redirect.port)
    const port =
      explicit ?? (derive === 'FROM_PROTOCOL_DEFAULT' || derive === 'FROM_REQUEST_PORT' ? derive : undefined)
    return {
      kind: 'redirect',
      status: num(redirect.redirectCode) ?? 301,
      ...(str(redirect.scheme) ? { scheme: str(redirect.scheme) as string } : {}),
      ...(str(redirect.authority) ? { authority: str(redirect.authority) as string } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(str(redirect.uri) !== undefined ? { path: str(redirect.uri) as string } : {}),
    }
  }
  const direct = obj(rule.directResponse)
  if (direct) {
    const body = obj(direct.body)
    const text =
      str(body?.string) ??
      (str(body?.bytes) ? Buffer.from(str(body?.bytes) ?? '', 'base64').toString('utf8') : undefined)
    return {
      kind: 'respond',
      status: num(direct.status) ?? 200,
      ...(text !== undefined ? { body: text } : {}),
    }
  }
  return { kind: 'forward', backends: backends(ctx, vs, rule, port, at) }
}

function policy(
  ctx: CompileContext,
  vs: ConfigEntry,
  rule: Record<string, unknown>,
  port: number,
  act: RouteAction,
): RoutePolicy {
  const out: RoutePolicy = {}
  const timeout = parseDurationMs(rule.timeout)
  if (timeout !== undefined && timeout > 0) out.timeoutMs = timeout
  let hashed = false
  if (act.kind === 'forward') {
    const first = obj(obj(arr(rule.route)[0])?.destination)
    if (first) {
      const d = destinationCluster(ctx, vs, first, port)
      if (d.service) {
        const portNum = num(/\|(\d+)\|/.exec(d.cluster)?.[1]) ?? port
        const hp = hashPolicyOf(policyFor(ruleFor(ctx, d.service), portNum, d.subset || undefined))
        if (hp) {
          out.hashPolicy = hp
          hashed = true
        }
      }
    }
    const retries = obj(rule.retries)
    const retry = retries ? convertRetry(retries, builtinRetry()) : defaultRetry(ctx)
    if (retry) out.retry = hashed ? { ...retry, retryOtherHosts: false } : retry
    const fault = convertFault(obj(rule.fault))
    if (fault) out.fault = fault
    const ms = mirrors(ctx, vs, rule, port)
    if (ms.length > 0) out.mirrors = ms
  }
  const { authority } = convertHeaders(rule.headers)
  const rewrite = convertRewrite(rule.rewrite, authority)
  if (rewrite && act.kind === 'forward') out.rewrite = rewrite
  const cors = convertCors(rule.corsPolicy)
  if (cors) out.cors = cors
  return out
}

/**
 * The routes of one VirtualService for this proxy and port, in order: one route per match block that
 * applies here; a rule without match (or with a catch-all match) ends the list.
 */
export function translateHttpRules(ctx: CompileContext, vs: ConfigEntry, scope: RouteScope): Route[] {
  const out: Route[] = []
  const rules = arr(vs.spec.http)
  for (let i = 0; i < rules.length; i++) {
    const rule = obj(rules[i])
    if (!rule) continue
    const matches = arr(rule.match).map(obj)
    if (rule.delegate !== undefined) {
      if (!delegated(ctx, vs, rule, i, scope, out)) continue
      if (arr(rule.match).length === 0) unreachable(ctx, vs, rules.length, i)
      return out
    }
    const ruleName = str(rule.name)
    const act = action(ctx, vs, rule, scope.port, ['http', i])
    const pol = policy(ctx, vs, rule, scope.port, act)
    const { ops } = convertHeaders(rule.headers)
    const make = (match: RouteMatch, j: number | undefined, matchName?: string): Route => {
      const name = ruleName && matchName ? `${ruleName}.${matchName}` : (ruleName ?? matchName)
      return {
        origin: {
          virtualService: vs.key,
          rule: i,
          ...(j !== undefined ? { match: j } : {}),
          ...(name ? { name } : {}),
        },
        match,
        action: act,
        policy: pol,
        ...(ops ? { headers: ops } : {}),
      }
    }
    if (matches.length === 0) {
      const gws = boundGateways(vs)
      if (!gws.includes(scope.gateway ?? 'mesh')) continue
      out.push(make({}, undefined))
      unreachable(ctx, vs, rules.length, i)
      return out
    }
    let catchAll = false
    let forEveryone = false
    matches.forEach((m, j) => {
      if (!m || !matchApplies(ctx, vs, m, scope)) return
      const rm = convertMatch(m)
      out.push(make(rm, j, str(m.name)))
      if (!isCatchAll(rm)) return
      catchAll = true
      // Selectors decided per proxy make a rule a catch-all for some callers only: not worth a warning.
      forEveryone ||= ['sourceLabels', 'sourceNamespace', 'gateways', 'port'].every((k) => m[k] === undefined)
    })
    if (catchAll) {
      if (forEveryone) unreachable(ctx, vs, rules.length, i)
      return out
    }
  }
  return out
}

/**
 * Appends the routes of a delegate VirtualService in place of root rule `i` (a missing delegate drops
 * the rule). Returns true when a merged route matches every request (later rules are unreachable).
 */
function delegated(
  ctx: CompileContext,
  root: ConfigEntry,
  rule: Record<string, unknown>,
  i: number,
  scope: RouteScope,
  out: Route[],
): boolean {
  const d = findDelegate(ctx, root, rule)
  if (!d) {
    warn(
      ctx,
      root,
      'IST0101',
      `Referenced delegate VirtualService not found: "${str(obj(rule.delegate)?.name) ?? ''}"`,
      ['http', i, 'delegate'],
    )
    return false
  }
  const rootMatches = arr(rule.match).map(obj)
  const applicable =
    rootMatches.length === 0 ? [undefined] : rootMatches.filter((m) => m && matchApplies(ctx, root, m, scope))
  if (rootMatches.length === 0 && !boundGateways(root).includes(scope.gateway ?? 'mesh')) return false
  const drules = arr(d.spec.http)
  let catchAll = false
  for (let k = 0; k < drules.length && !catchAll; k++) {
    const dr = obj(drules[k])
    if (!dr) continue
    const merged = mergedRule(rule, dr)
    const act = action(ctx, d, merged, scope.port, ['http', k])
    const pol = policy(ctx, d, merged, scope.port, act)
    const { ops } = convertHeaders(merged.headers)
    const dmatches = arr(dr.match).map(obj)
    const pairs = dmatches.length === 0 ? [undefined] : dmatches
    for (const rm of applicable) {
      pairs.forEach((dm, l) => {
        const m = mergeMatch(rm, dm)
        if (!m) return
        const name = str(m.name) ?? str(merged.name)
        const match = convertMatch(m)
        if (isCatchAll(match)) catchAll = true
        out.push({
          origin: {
            virtualService: d.key,
            rule: k,
            ...(dm ? { match: l } : {}),
            ...(name ? { name } : {}),
          },
          match,
          action: act,
          policy: pol,
          ...(ops ? { headers: ops } : {}),
        })
      })
    }
  }
  return (
    out.length > 0 && isCatchAll(out[out.length - 1]?.match ?? { headers: [] }) && rootMatches.length === 0
  )
}

/** IST0130-style warning for rules after a catch-all rule: they can never match. */
function unreachable(ctx: CompileContext, vs: ConfigEntry, count: number, catchAll: number): void {
  for (let j = catchAll + 1; j < count; j++)
    warn(ctx, vs, 'IST0130', `VirtualService rule #${j} not used (rule #${catchAll} matches every request)`, [
      'http',
      j,
    ])
}
