/** @module cli/explain — `weir explain`: where a request goes and why, simulated over the compiled config. */
import type { Command } from 'commander'
import { formatSource } from '../api/diagnostics.ts'
import { loadPaths } from '../api/load.ts'
import type { Explanation } from '../compile/explain.ts'
import { explainRequest } from '../compile/explain.ts'
import { explain } from '../compile/explain-snapshot.ts'
import { ingressGatewayNode, type ProxyNode, syntheticSidecar } from '../compile/node.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { EXIT } from './exit-codes.ts'
import { getJson, resolveTarget } from './format/target.ts'

interface Options {
  filename?: string[]
  url?: string
  header: string[]
  method: string
  sourceNamespace?: string
  sourceLabels?: string
  gateway?: boolean
  from?: string
  namespace?: string
  output?: string
  server?: string
  token?: string
  state?: string
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v]
}

function usage(message: string): void {
  process.stderr.write(`error: ${message}\n`)
  process.exitCode = EXIT.USAGE
}

/** Parses `k=v,k=v`; undefined when malformed. */
export function parseLabels(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (const part of s.split(',')) {
    if (part.trim() === '') continue
    const i = part.indexOf('=')
    if (i <= 0) return undefined
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim()
  }
  return out
}

/** The JSON shape of `weir explain -o json`. */
export function explanationJson(e: Explanation): Record<string, unknown> {
  return {
    proxy: e.proxy,
    request: e.request,
    listener: e.listener,
    gateway: e.gateway,
    routeTable: e.routeTable,
    virtualHost: e.virtualHost,
    virtualService: e.virtualService,
    rule: e.rule,
    match: e.match,
    routeName: e.routeName,
    skipped: e.skipped,
    action: e.action,
    destinations: e.destinations,
    policies: e.policies,
    ...(e.redirect ? { redirect: e.redirect } : {}),
    status: e.status,
    flags: e.flags,
    summary: e.summary,
  }
}

/** Human-readable explanation. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = []
  const row = (k: string, v: string): void => {
    lines.push(`${`${k}:`.padEnd(16)}${v}`)
  }
  row('Proxy', e.proxy)
  row(
    'Request',
    e.request.protocol === 'tcp'
      ? `TCP connection to ${e.request.authority} (port ${e.request.port})`
      : `${e.request.method} http://${e.request.authority}${e.request.path} (port ${e.request.port})`,
  )
  row('Listener', e.listener ?? 'none')
  if (e.gateway) row('Gateway', e.gateway)
  if (e.routeTable) row('Route table', e.routeTable)
  if (e.virtualHost) row('Virtual host', e.virtualHost)
  for (const s of e.skipped) {
    const where = s.virtualService
      ? `${s.virtualService} rule ${s.rule}${s.match !== null ? ` match ${s.match}` : ''}`
      : 'route'
    const when = s.stage === 'config' ? ' [config time]' : ''
    row('Not matched', `${where}${when}: ${s.reasons.join('; ') || 'does not apply'}`)
  }
  if (e.virtualService)
    row(
      'VirtualService',
      `${e.virtualService} rule ${e.rule}${e.match !== null ? ` match ${e.match}` : ''}${e.routeName ? ` (${e.routeName})` : ''}`,
    )
  else if (e.action === 'forward') row('VirtualService', 'none (default route)')
  if (e.destinations.length > 0) {
    lines.push('Destinations:')
    for (const d of e.destinations) {
      const eps = d.endpoints.filter((x) => x.ready).map((x) => `${x.address}:${x.port}`)
      const state = !d.exists
        ? 'cluster not found'
        : eps.length === 0
          ? 'no healthy endpoints'
          : eps.join(', ')
      lines.push(
        `  ${`${d.weight}%`.padStart(7)}  ${d.cluster}${d.subset ? ` (subset ${d.subset})` : ''}  → ${state}`,
      )
    }
  }
  const p = e.policies
  const pol: string[] = []
  if (p.retries)
    pol.push(
      `retries ${p.retries.attempts} on ${[...p.retries.retryOn, ...p.retries.retriableStatusCodes.map(String)].join(',')}${p.retries.perTryTimeoutMs !== undefined ? ` per try ${p.retries.perTryTimeoutMs}ms` : ''}`,
    )
  else if (e.action === 'forward') pol.push('no retries')
  if (p.timeoutMs !== undefined) pol.push(`timeout ${p.timeoutMs}ms`)
  if (p.fault?.delay) pol.push(`delay ${p.fault.delay.fixedDelayMs}ms on ${p.fault.delay.percentage}%`)
  if (p.fault?.abort)
    pol.push(`abort ${p.fault.abort.httpStatus ?? p.fault.abort.grpcStatus} on ${p.fault.abort.percentage}%`)
  for (const m of p.mirrors ?? []) pol.push(`mirror ${m.percentage}% to ${m.cluster}`)
  if (p.rewrite) pol.push(`rewrite ${JSON.stringify(p.rewrite)}`)
  if (p.hashPolicy)
    pol.push(`hash on ${p.hashPolicy.kind}${'name' in p.hashPolicy ? ` ${p.hashPolicy.name}` : ''}`)
  if (pol.length > 0) row('Policies', pol.join('; '))
  row(
    'Result',
    e.status === null
      ? e.flags
        ? `${e.flags}: ${e.summary}`
        : `routed: ${e.summary}`
      : `${e.status}${e.flags ? ` ${e.flags}` : ''}: ${e.summary}`,
  )
  return `${lines.join('\n')}\n`
}

async function run(opts: Options): Promise<void> {
  if (opts.from) return runLive(opts, opts.from)
  if (!opts.filename || opts.filename.length === 0)
    return usage('-f/--filename is required (or --from <pod>[.<ns>])')
  if (!opts.url) return usage('--url is required')
  if (opts.gateway && (opts.sourceLabels || opts.sourceNamespace))
    return usage('--gateway cannot be combined with --source-labels/--source-namespace')
  if (!opts.gateway && !opts.sourceLabels && !opts.sourceNamespace)
    return usage('give the caller: --source-namespace NS --source-labels k=v,… or --gateway')
  if (opts.output && opts.output !== 'json' && opts.output !== 'text')
    return usage(`unknown output format ${opts.output} (json or text)`)
  const headers = parseHeaders(opts.header)
  if (typeof headers === 'string') return usage(headers)
  const labels = parseLabels(opts.sourceLabels ?? '')
  if (!labels) return usage(`bad --source-labels ${JSON.stringify(opts.sourceLabels)}: expected k=v,k=v`)
  const loaded = await loadPaths(opts.filename)
  for (const d of loaded.diagnostics.filter((x) => x.severity === 'Error'))
    process.stderr.write(`${formatSource(d.source)} ${d.code} ${d.message}\n`)
  if (loaded.unreadable) {
    process.exitCode = EXIT.DATA
    return
  }
  const namespace = opts.namespace ?? 'default'
  const snapshot = buildSnapshot(loaded.resources, { namespace })
  const node: ProxyNode = opts.gateway
    ? ingressGatewayNode()
    : syntheticSidecar(opts.sourceNamespace ?? namespace, labels)
  print(explain(snapshot, node, { url: opts.url, method: opts.method, headers }), opts.output)
}

function print(e: Explanation, output: string | undefined): void {
  process.stdout.write(
    output === 'json' ? `${JSON.stringify(explanationJson(e), null, 2)}\n` : formatExplanation(e),
  )
}

/** Headers from repeated `-H 'Name: value'`, or the usage error. */
function parseHeaders(list: readonly string[]): Record<string, string> | string {
  const headers: Record<string, string> = {}
  for (const h of list) {
    const i = h.indexOf(':')
    if (i <= 0) return `bad header ${JSON.stringify(h)}: expected 'Name: value'`
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim()
  }
  return headers
}

/** `--from <pod>[.<ns>]`: explain over the config the control plane last sent to that proxy. */
async function runLive(opts: Options, from: string): Promise<void> {
  if (!opts.url) return usage('--url is required')
  if (opts.filename && opts.filename.length > 0) return usage('--from cannot be combined with -f')
  const headers = parseHeaders(opts.header)
  if (typeof headers === 'string') return usage(headers)
  const id = from.includes('.') ? from : `${from}.${opts.namespace ?? 'default'}`
  const target = resolveTarget(opts)
  if (!target.ok) return fail(target.error)
  const got = await getJson<ProxyConfig>(target.target, `/debug/config_dump?proxy=${encodeURIComponent(id)}`)
  if (!got.ok)
    return fail(got.status === 404 ? `proxy ${id} is not connected to the control plane` : got.error)
  print(explainRequest(got.body, { url: opts.url, method: opts.method, headers }), opts.output)
}

function fail(message: string): void {
  process.stderr.write(`error: ${message}\n`)
  process.exitCode = EXIT.FAILED
}

/** Registers `weir explain`. */
export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'Explain where a request goes: listener, virtual host, VirtualService rule, destinations, policies',
    )
    .option('-f, --filename <path>', 'YAML/JSON file or directory (repeatable; - for stdin)', collect, [])
    .requiredOption('--url <url>', 'request URL, e.g. http://reviews:9080/ (tcp://host:port for TCP)')
    .option('-H, --header <header>', "request header 'Name: value' (repeatable)", collect, [])
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--source-namespace <ns>', 'namespace of the calling workload')
    .option('--source-labels <labels>', 'labels of the calling workload, k=v,k=v')
    .option('--gateway', 'explain the request as the ingress gateway receives it')
    .option('--from <pod>', 'a pod of the running mesh, <pod>[.<ns>] (needs the control plane)')
    .option('--server <url>', 'control plane address (default: WEIR_SERVER or <state>/server.json)')
    .option('--token <token>', 'control plane token (default: WEIR_TOKEN or <state>/token)')
    .option('--state <dir>', 'state directory of `weir up` (default: WEIR_STATE or ./.weir)')
    .option('-n, --namespace <ns>', 'namespace of resources that name none', 'default')
    .option('-o, --output <format>', 'output format: text or json', 'text')
    .action(async (opts: Options) => {
      await run(opts)
    })
}
