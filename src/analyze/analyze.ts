/**
 * @module analyze/analyze — `weir analyze` without the command line: load manifests, set namespaces as
 * istioctl does, run the analyzers, turn loader problems into messages, filter by namespace and suppressions.
 */
import { readFile } from 'node:fs/promises'
import { codes } from '../api/codes.ts'
import type { Diagnostic } from '../api/diagnostics.ts'
import { lookupKind } from '../api/kinds.ts'
import { loadPaths } from '../api/load.ts'
import type { Resource } from '../api/resource.ts'
import { DEFAULT_MESH, type MeshConfigView } from './context.ts'
import {
  ACCEPTED_BUILTIN_KINDS,
  CLUSTER_SCOPED_BUILTIN_KINDS,
  defaultIngressObjects,
  isIgnored,
  parseMeshConfig,
  unknownKindOf,
} from './environment.ts'
import { groupKind, loadExtraKinds } from './extra-kinds.ts'
import { ANALYZERS } from './registry.ts'
import { runAnalyzers, sortAndDedupe } from './run.ts'
import type { AnalysisMessage, Analyzer } from './types.ts'

/** What to analyze and how. */
export interface AnalyzeOptions {
  /** Files and directories; `-` reads stdin. */
  paths: readonly string[]
  /** Namespace for objects without one, and the only namespace reported on (istioctl's `-n`). Default `default`. */
  namespace?: string
  /** `-A`: assign no namespace and report on every namespace. */
  allNamespaces?: boolean
  /** Analyzers to run (default: all). */
  analyzers?: readonly Analyzer[]
  /** A MeshConfig file (or the `istio` ConfigMap) to apply over Istio's defaults. */
  meshConfigFile?: string
  /** `CODE=ResourceGlob` rules (`IST0102=Namespace *`), as `istioctl analyze --suppress`. */
  suppress?: readonly string[]
  stdin?: () => Promise<string>
}

/** The outcome: messages sorted as istioctl sorts them, and whether some input could not be read at all. */
export interface AnalyzeResult {
  messages: AnalysisMessage[]
  /** Files or documents that could not be read or parsed (istioctl exits 65). */
  unreadable: boolean
  /** Analyzers skipped because the input lacks the Kubernetes objects they need. */
  skipped: string[]
  /** Namespace analyzed, or undefined with `-A`. */
  namespace: string | undefined
}

/** Loader codes that mean "could not read", which decide exit 65 rather than count as analysis errors. */
export const UNREADABLE_CODES: ReadonlySet<string> = new Set([codes.PARSE_ERROR, codes.UNREADABLE])

/** Runs the whole analysis. Never throws on bad input. */
export async function analyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? 'default')
  const loaded = await loadPaths(opts.paths, opts.stdin ? { stdin: opts.stdin } : {})
  let mesh: MeshConfigView = DEFAULT_MESH
  const loaderMessages: AnalysisMessage[] = []
  if (opts.meshConfigFile) {
    try {
      mesh = parseMeshConfig(await readFile(opts.meshConfigFile, 'utf8'))
    } catch (err) {
      loaded.unreadable = true
      loaderMessages.push(
        loaderMessage({
          code: codes.UNREADABLE,
          severity: 'Error',
          message: `cannot read mesh config ${opts.meshConfigFile}: ${err instanceof Error ? err.message : String(err)}`,
        }),
      )
    }
  }
  // Built-in kinds Weir does not load are accepted silently, and read again for the analyzers that use them.
  const extraFiles = new Set<string>()
  for (const d of loaded.diagnostics) {
    const kind = unknownKindOf(d)
    if (kind !== undefined && ACCEPTED_BUILTIN_KINDS.has(kind)) {
      if (d.source && d.source.file !== '-') extraFiles.add(d.source.file)
      continue
    }
    loaderMessages.push(loaderMessage(d))
  }
  const extras = await loadExtraKinds(extraFiles, (k) => ACCEPTED_BUILTIN_KINDS.has(k))
  const user = lastApplied(
    [...loaded.resources, ...extras].map((r) => withNamespace(r, namespace)).filter((r) => !isIgnored(r)),
  )
  const synthetic = defaultIngressObjects(mesh, 'weir')
  const { messages, skipped } = runAnalyzers([...synthetic, ...user], {
    analyzers: opts.analyzers ?? ANALYZERS,
    mesh,
    deploymentsAsPods: true,
    skipWithoutInputs: true,
    synthetic: new Set(synthetic),
  })
  const rules = (opts.suppress ?? []).map(parseSuppression)
  const kept = messages.filter((m) => {
    const r = m.resource
    if (!r) return true
    // Messages about the objects Weir adds itself are not the user's to fix.
    if (synthetic.includes(r)) return false
    if (namespace !== undefined && r.metadata.namespace && r.metadata.namespace !== namespace) return false
    return !suppressed(m, r, rules)
  })
  return {
    messages: sortAndDedupe([...loaderMessages, ...kept]),
    unreadable: loaded.unreadable,
    skipped,
    namespace,
  }
}

/** The same object given twice (a later step of a tutorial): the later one wins, as `kubectl apply` and istioctl do. */
function lastApplied(resources: readonly Resource[]): Resource[] {
  const byKey = new Map<string, Resource>()
  for (const r of resources) {
    const group = r.apiVersion.includes('/') ? r.apiVersion.slice(0, r.apiVersion.lastIndexOf('/')) : ''
    const key = `${group}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`
    byKey.delete(key)
    byKey.set(key, r)
  }
  return [...byKey.values()]
}

function loaderMessage(d: Diagnostic): AnalysisMessage {
  const m: AnalysisMessage = { code: d.code, level: d.severity, text: d.message }
  if (d.source) m.reference = d.source.line > 0 ? `${d.source.file}:${d.source.line}` : d.source.file
  return m
}

/** istioctl gives objects without a namespace the `-n` namespace (none with `-A`); cluster-scoped kinds keep none. */
function withNamespace(r: Resource, namespace: string | undefined): Resource {
  if (namespace === undefined || r.metadata.namespace) return r
  const info = lookupKind(r.apiVersion, r.kind)
  if (info?.namespaced === false) return r
  if (!info && CLUSTER_SCOPED_BUILTIN_KINDS.has(groupKind(r.apiVersion, r.kind))) return r
  return { ...r, metadata: { ...r.metadata, namespace } }
}

interface Suppression {
  code: string
  pattern: RegExp
}

function parseSuppression(rule: string): Suppression {
  const eq = rule.indexOf('=')
  const code = eq < 0 ? rule : rule.slice(0, eq)
  const glob = eq < 0 ? '*' : rule.slice(eq + 1)
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return { code: code.trim(), pattern: new RegExp(`^${re}$`) }
}

/** `--suppress` rules and the `galley.istio.io/analyze-suppress` annotation (codes, comma-separated, or `*`). */
function suppressed(m: AnalysisMessage, r: Resource, rules: readonly Suppression[]): boolean {
  const ref = r.metadata.namespace
    ? `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`
    : `${r.kind} ${r.metadata.name}`
  if (rules.some((s) => (s.code === m.code || s.code === '*') && s.pattern.test(ref))) return true
  const anno = r.metadata.annotations?.['galley.istio.io/analyze-suppress']
  if (typeof anno !== 'string') return false
  const list = anno.split(',').map((s) => s.trim())
  return list.includes('*') || list.includes(m.code)
}
