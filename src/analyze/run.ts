/**
 * @module analyze/run — runs analyzers over loaded resources and returns istioctl's messages: text from the
 * catalog, `file:line` of the offending field, sorted and de-duplicated as istioctl does.
 */
import type { Resource } from '../api/resource.ts'
import { posOf } from '../api/resource.ts'
import { type ContextOptions, createAnalysisContext } from './context.ts'
import { goFormat } from './gofmt.ts'
import { MESSAGES } from './messages.ts'
import type { AnalysisMessage, Analyzer, Need, Report } from './types.ts'

/** What to run and how. */
export interface RunOptions extends ContextOptions {
  analyzers: readonly Analyzer[]
  /**
   * Skip analyzers whose Kubernetes-only inputs are absent (istioctl's `--use-kube=false` rule, applied per
   * kind): with no Pod or Deployment in the files, "selects no pods" would be said of every subset.
   */
  skipWithoutInputs?: boolean
  /** Resources added by the tool itself (the default ingress pod and service): they do not count as inputs. */
  synthetic?: ReadonlySet<Resource>
}

/** The result of one run: the messages, and the analyzers that were skipped for lack of input. */
export interface RunResult {
  messages: AnalysisMessage[]
  skipped: string[]
}

/** Builds one message from the catalog. Unknown codes become IST0001 InternalError rather than throwing. */
export function createMessage(
  code: string,
  args: readonly (string | number | readonly (string | number)[])[],
  resource?: Resource,
  path?: readonly (string | number)[],
): AnalysisMessage {
  const type = MESSAGES[code]
  if (!type) return { code: 'IST0001', level: 'Error', text: `Internal error: unknown message code ${code}` }
  const msg: AnalysisMessage = { code, level: type.level, text: goFormat(type.template, args) }
  if (resource) {
    msg.resource = resource
    const pos = posOf(resource, path ?? [])
    if (pos) msg.reference = `${pos.file}:${pos.line}`
  }
  return msg
}

/** Runs every analyzer; one that throws on odd input yields an IST0001 message instead of failing the run. */
export function runAnalyzers(resources: readonly Resource[], opts: RunOptions): RunResult {
  const present = inputsPresent(resources, opts.synthetic)
  const ctx = createAnalysisContext(resources, { ...opts, present })
  const messages: AnalysisMessage[] = []
  const skipped: string[] = []
  const report: Report = (resource, code, args, path) => {
    messages.push(createMessage(code, args, resource, path))
  }
  for (const a of opts.analyzers) {
    if (opts.skipWithoutInputs && (a.needs ?? []).some((n) => !present.has(n))) {
      skipped.push(a.name)
      continue
    }
    try {
      a.run(ctx, report)
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      messages.push(createMessage('IST0001', [`analyzer ${a.name}: ${detail}`]))
    }
  }
  return { messages: sortAndDedupe(messages), skipped }
}

function inputsPresent(resources: readonly Resource[], synthetic?: ReadonlySet<Resource>): Set<Need> {
  const out = new Set<Need>()
  for (const r of resources) {
    if (synthetic?.has(r)) continue
    if (r.kind === 'Pod' || r.kind === 'Deployment') out.add('pods')
    else if (r.kind === 'Service') out.add('services')
    else if (r.kind === 'Namespace') out.add('namespaces')
    else if (r.kind === 'Secret') out.add('secrets')
  }
  return out
}

const LEVEL_ORDER = { Error: 0, Warning: 1, Info: 2 } as const

/** `Kind name.namespace` (or `Kind name`), istioctl's friendly name of a resource. */
export function friendlyName(r: Resource): string {
  const ns = r.metadata.namespace
  return ns ? `${r.kind} ${r.metadata.name}.${ns}` : `${r.kind} ${r.metadata.name}`
}

/** istioctl's printed form of a message: `Error [IST0101] (VirtualService a.ns f.yaml:3) text`. */
export function formatMessage(m: AnalysisMessage): string {
  const where = [m.resource ? friendlyName(m.resource) : '', m.reference ?? '']
    .filter((s) => s !== '')
    .join(' ')
  return `${m.level} [${m.code}]${where === '' ? '' : ` (${where})`} ${m.text}`
}

/** Sorts as istioctl does (level, code, resource, text) and drops messages whose printed form repeats. */
export function sortAndDedupe(messages: readonly AnalysisMessage[]): AnalysisMessage[] {
  const keyed = messages.map((m) => ({
    m,
    s: formatMessage(m),
    r: m.resource ? resourceKey(m.resource) : '',
  }))
  keyed.sort(
    (a, b) =>
      LEVEL_ORDER[a.m.level] - LEVEL_ORDER[b.m.level] ||
      cmp(a.m.code, b.m.code) ||
      cmp(a.r, b.r) ||
      cmp(a.s, b.s),
  )
  const out: AnalysisMessage[] = []
  let last = ''
  for (const k of keyed) {
    if (out.length > 0 && k.s === last) continue
    out.push(k.m)
    last = k.s
  }
  return out
}

function resourceKey(r: Resource): string {
  return `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
