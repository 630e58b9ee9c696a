/** @module cli/kube/manifests — `-f FILE|DIR|-` for the verbs: load, report bad documents, place objects in namespaces. */
import type { Diagnostic } from '../../api/diagnostics.ts'
import type { KindInfo } from '../../api/kinds.ts'
import { loadPaths } from '../../api/load.ts'
import { posOf, type Resource } from '../../api/resource.ts'
import { parseFieldPath } from '../../controlplane/store/admission.ts'
import { parseLabelSelector } from '../../controlplane/store/selectors.ts'
import type { KubeObject } from '../../controlplane/store/types.ts'
import type { ApiResponse } from './client.ts'
import { kindOfObject, serverError, statusOf } from './resources.ts'

/** One object to send, with where it came from. */
export interface Manifest {
  resource: Resource
  info: KindInfo
  /** The object as it will be sent (namespace filled in). */
  object: KubeObject
  /** The file it came from (`-` for stdin), as kubectl names it in errors. */
  file: string
}

/** `file:line field: message` for a diagnostic. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}` : ''
  const field = d.path ? ` ${d.path}` : ''
  return `${where}${field}: ${d.message}`
}

/**
 * Loads `-f` paths. Bad documents are reported through `err` (and make `failed` true); the good ones
 * come back in file order, filtered by `selector` and placed in `namespace` when they name none.
 */
export async function loadManifests(
  paths: readonly string[],
  opts: { namespace?: string | undefined; selector?: string | undefined },
  err: (line: string) => void,
): Promise<{ manifests: Manifest[]; failed: boolean }> {
  const loaded = await loadPaths(paths)
  let failed = loaded.unreadable
  for (const d of loaded.diagnostics) {
    if (d.severity === 'Error') {
      failed = true
      err(formatDiagnostic(d))
    } else err(`Warning: ${formatDiagnostic(d)}`)
  }
  const selector = parseLabelSelector(opts.selector)
  if (!selector.ok) {
    err(`error: ${selector.error}`)
    return { manifests: [], failed: true }
  }
  const manifests: Manifest[] = []
  for (const r of loaded.resources) {
    const info = kindOfObject(r.apiVersion, r.kind)
    if (!info) continue
    const object = structuredClone(r.body) as KubeObject
    object.metadata = { ...(object.metadata ?? {}) } as KubeObject['metadata']
    if (info.namespaced) {
      const own = object.metadata.namespace
      if (own && opts.namespace && own !== opts.namespace) {
        err(
          `error: the namespace from the provided object "${own}" does not match the namespace "${opts.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
        )
        failed = true
        continue
      }
      object.metadata.namespace = own || opts.namespace || 'default'
    } else delete object.metadata.namespace
    if (!selector.matches(object)) continue
    manifests.push({ resource: r, info, object, file: r.origin?.file ?? '-' })
  }
  return { manifests, failed }
}

/**
 * The lines to print for a refused write: for 422 Invalid one `file:line field: message` per cause
 * (lines found from the field paths in the file the object came from), otherwise kubectl's
 * `Error from server (Reason): error when <verb> "file": message`.
 */
export function refusal(m: Manifest, res: ApiResponse, verb: string): string[] {
  const s = statusOf(res)
  if (s.code === 422 && s.causes.length > 0) {
    return s.causes.map((c) => {
      const pos = c.field ? posOf(m.resource, parseFieldPath(c.field)) : m.resource.origin
      const where = c.source ?? (pos ? `${pos.file}:${pos.line}` : m.file)
      return `${where}${c.field ? ` ${c.field}` : ''}: ${c.message}`
    })
  }
  return [serverError(res, `error when ${verb} "${m.file}"`)]
}
