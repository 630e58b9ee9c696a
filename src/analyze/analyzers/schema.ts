/**
 * @module analyze/analyzers/schema — `schema.ValidationAnalyzer.<Kind>`: Weir's validation of each resource
 * (CRD schema, CEL and Istio's semantic checks) as istioctl reports it: errors are IST0106
 * SchemaValidationError, warnings IST0133 SchemaWarning, each at the line of the offending field. For
 * VirtualServices the unreachable-rule checks of Istio's validation give IST0130 / IST0131.
 */
import type { Diagnostic } from '../../api/diagnostics.ts'
import { KINDS } from '../../api/kinds.ts'
import type { Resource } from '../../api/resource.ts'
import { validateResource } from '../../api/validate.ts'
import type { Analyzer, Report } from '../types.ts'
import { checkUnreachableRules } from './unreachable-rules.ts'

/** Istio's schema kinds, each with its own validation analyzer (names as `istioctl analyze -L` lists them). */
const ISTIO_KINDS = [
  'AuthorizationPolicy',
  'DestinationRule',
  'EnvoyFilter',
  'Gateway',
  'PeerAuthentication',
  'ProxyConfig',
  'RequestAuthentication',
  'ServiceEntry',
  'Sidecar',
  'Telemetry',
  'TrafficExtension',
  'VirtualService',
  'WasmPlugin',
  'WorkloadEntry',
  'WorkloadGroup',
  'MeshNetworks',
  'MeshConfig',
]

/** Codes the validation may give that are analysis messages already (not wrapped in IST0106). */
const OWN_CODES = new Set(['IST0130', 'IST0131'])

/** One message for one validation diagnostic: the text keeps the field path; the line is the field's. */
export function reportDiagnostic(r: Resource, d: Diagnostic, report: Report): void {
  if (OWN_CODES.has(d.code) || d.severity === 'Info') return
  const text = d.path && !d.message.includes(d.path) ? `${d.path}: ${d.message}` : d.message
  const code = d.severity === 'Error' ? 'IST0106' : 'IST0133'
  report(withLine(r, d), code, [text], d.path ? pathSegments(d.path) : [])
}

/** `spec.http[0].route[1].weight` → `['spec','http',0,'route',1,'weight']`. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = []
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]))
    else if (m[1] !== undefined) out.push(m[1])
  }
  return out
}

/** The validator knows the line of what it found: point the message there rather than at the path's parent. */
function withLine(r: Resource, d: Diagnostic): Resource {
  const src = d.source
  const origin = r.origin
  if (!src || !origin || src.line <= 0) return r
  return { ...r, origin: { ...origin, at: () => src } }
}

function validationAnalyzer(kind: string): Analyzer {
  return {
    name: `schema.ValidationAnalyzer.${kind}`,
    description: `Runs schema validation as an analyzer on '${kind}' resources`,
    inputs: [kind],
    run(ctx, report) {
      for (const r of ctx.kind(kind)) {
        let diags: Diagnostic[]
        try {
          diags = validateResource(r)
        } catch (err) {
          diags = [
            { code: 'IST0106', severity: 'Error', message: err instanceof Error ? err.message : String(err) },
          ]
        }
        for (const d of diags) reportDiagnostic(r, d, report)
        if (kind === 'VirtualService') checkUnreachableRules(r, report)
      }
    },
  }
}

/** Validation analyzers for Istio's kinds, then for the Kubernetes kinds Weir validates too. */
export const schemaAnalyzers: readonly Analyzer[] = ISTIO_KINDS.map(validationAnalyzer)

/**
 * Every other kind Weir loads (Kubernetes objects, Gateway API, legacy kinds): their validation errors are
 * reported too, since the API server (or Weir) would reject them.
 */
export const kubeSchemaAnalyzers: readonly Analyzer[] = [
  ...new Set(
    KINDS.filter((k) => !ISTIO_KINDS.includes(k.kind) || k.group === 'gateway.networking.k8s.io').map((k) =>
      k.group === 'gateway.networking.k8s.io' && k.kind === 'Gateway' ? `${k.group}/Gateway` : k.kind,
    ),
  ),
].map((kind) => ({
  ...validationAnalyzer(kind),
  name: `weir.Validation.${kind.includes('/') ? 'KubernetesGateway' : kind}`,
}))
