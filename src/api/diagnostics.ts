/** @module api/diagnostics — one shape for every problem found in user config. */

/** Severity as istioctl prints it. */
export type Severity = 'Error' | 'Warning' | 'Info'

/** Where a thing was written: file (or `-` for stdin), 1-based line and column. */
export interface SourcePos {
  file: string
  line: number
  column: number
}

/**
 * One problem in user config. `code` is Istio's analyzer code where one exists (`IST0101`), otherwise
 * a Weir code (`WEIR1001`, see `codes.ts`). `path` is the field path in the resource
 * (`spec.http[0].route[1].weight`).
 */
export interface Diagnostic {
  code: string
  severity: Severity
  message: string
  /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
  resource?: { kind: string; namespace?: string; name: string }
  path?: string
  source?: SourcePos
}

/** Formats a field path from segments: `['spec','http',0,'route']` → `spec.http[0].route`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = ''
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`
    else out += out === '' ? s : `.${s}`
  }
  return out
}

/** True when any diagnostic is an error. */
export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'Error')
}

/** `file:line:column` for a diagnostic's source, or '' when unknown. */
export function formatSource(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.column}` : ''
}
