/** @module api/validate — structural (CRD schema + CEL) and semantic validation of loaded resources. */
import { checkCelRules } from './cel-rules.ts'
import { codes } from './codes.ts'
import { crdSchemaFor } from './crd-schemas.ts'
import { type Diagnostic, formatPath, type Severity } from './diagnostics.ts'
import type { Segment } from './k8s-path.ts'
import { lookupKind } from './kinds.ts'
import { posOf, type Resource } from './resource.ts'
import { semanticFindings } from './semantic/index.ts'
import { validateStructure } from './structural.ts'

/** One problem before it is placed in the file: field path, text, severity and code. */
export interface Finding {
  path: Segment[]
  message: string
  severity: Severity
  code: string
}

/**
 * Validates one resource as Istio (and the Kubernetes API server) would. Returns one diagnostic per
 * problem, each with file:line:column and field path. Never throws.
 *
 * Order: the CRD's OpenAPI schema (types, required, enums, bounds, unknown fields), then — only when
 * that passes, as in the API server — the CRD's CEL rules and list uniqueness (code WEIR0101); then
 * Istio's own (webhook) checks for the kinds Weir acts on (WEIR0102), skipping fields that already
 * have a schema error; deprecated fields give warnings (WEIR0103).
 */
export function validateResource(resource: Resource): Diagnostic[] {
  try {
    const diags = findingsOf(resource).map((f) => toDiagnostic(resource, f))
    // In file order, as a reader goes through the resource (stable for findings on one line).
    return diags.sort(
      (a, b) =>
        (a.source?.line ?? 0) - (b.source?.line ?? 0) || (a.source?.column ?? 0) - (b.source?.column ?? 0),
    )
  } catch (err) {
    return [
      toDiagnostic(resource, {
        path: [],
        message: `validation stopped early: ${err instanceof Error ? err.message : String(err)}`,
        severity: 'Warning',
        code: codes.INVALID,
      }),
    ]
  }
}

function findingsOf(resource: Resource): Finding[] {
  const info = lookupKind(resource.apiVersion, resource.kind)
  const crd = crdSchemaFor(resource.apiVersion, resource.kind)
  const out: Finding[] = []
  // A field with a schema error gets no semantic error too: one diagnostic per broken input. A CEL rule
  // on an object (`spec: … portLevelMtls requires selector`) only hides findings on that same object.
  const covers: ((path: readonly Segment[]) => boolean)[] = []
  if (crd) {
    const structural = validateStructure(resource.body, crd.id, crd.schema)
    const cel = structural.length > 0 ? [] : checkCelRules(resource.body, crd.schema)
    for (const p of [...structural, ...cel]) {
      out.push({ path: p.path, message: p.message, severity: 'Error', code: codes.SCHEMA })
    }
    for (const p of [...structural, ...cel]) {
      covers.push(p.wholeObject ? (path) => samePath(path, p.path) : (path) => isAtOrUnder(path, p.path))
    }
  }
  if (info?.status === 'ignored') return out
  for (const f of semanticFindings(resource)) {
    if (f.severity === 'Error' && covers.some((c) => c(f.path))) continue
    out.push(f)
  }
  return out
}

function samePath(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i])
}

function isAtOrUnder(path: readonly Segment[], parent: readonly Segment[]): boolean {
  return parent.length <= path.length && parent.every((s, i) => path[i] === s)
}

function toDiagnostic(r: Resource, f: Finding): Diagnostic {
  const ns = r.metadata.namespace
  const d: Diagnostic = {
    code: f.code,
    severity: f.severity,
    message: f.message,
    resource: ns
      ? { kind: r.kind, namespace: ns, name: r.metadata.name }
      : { kind: r.kind, name: r.metadata.name },
    path: formatPath(f.path),
  }
  const pos = posOf(r, f.path)
  if (pos) d.source = { file: pos.file, line: pos.line, column: pos.column }
  return d
}
