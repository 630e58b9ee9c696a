/**
 * @module controlplane/store/store — the resource store: objects keyed by (group, kind, namespace, name),
 * resourceVersions from one global counter, admission on every write, durable through `log.ts`, and a
 * watch with a bounded history for the API server and the push server.
 */
import { randomUUID } from 'node:crypto'
import { type KindInfo, lookupKind, splitApiVersion } from '../../api/kinds.ts'
import { admit, type Validator } from './admission.ts'
import { keyOf, kindOf, lookupKindByGroupKind, normalize, refOf, timestamp } from './identity.ts'
import { type LogRecord, openStoreLog, type StoreLog } from './log.ts'
import { applyMerge, deepEqual, deepFreeze, isObject, mergePatch } from './merge.ts'
import { parseFieldSelector, parseLabelSelector } from './selectors.ts'
import * as st from './status.ts'
import type {
  ApiStatus,
  ApplyOutcome,
  KubeObject,
  ListOptions,
  ObjectRef,
  Subscription,
  WatchEvent,
  WriteOptions,
  WriteResult,
} from './types.ts'
import { content, keepAllocated } from './updates.ts'

export { keyOf, lookupKindByGroupKind, refOf } from './identity.ts'

/** Annotation kubectl keeps the last applied configuration in. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'

/** Namespaces that exist from the start and cannot be deleted (as in Kubernetes). */
const PROTECTED_NAMESPACES = ['default', 'kube-system']

/** How the store is made. */
export interface StoreOptions {
  /** Directory of the durable log; in memory only when absent. */
  stateDir?: string
  /** Watch events kept for watches that resume from a resourceVersion (default 1000). */
  historyLimit?: number
  /** Compact the log once it holds this many records (and 4× the live objects); default 1000. */
  compactAfter?: number
  /** Admission's validator (default: `validateResource` of `src/api/validate.ts`). */
  validate?: Validator
  /** Told about recovery that had to cut a torn or corrupt tail off the log. */
  onWarning?: (message: string) => void
  /** Clock for creationTimestamp (tests). */
  now?: () => Date
}

/**
 * The in-process store. Every method is synchronous: a write has been fsynced when it returns. Bad
 * input is a failed WriteResult; only a failing disk (ENOSPC, EIO) throws, and then nothing changed.
 */
export interface Store {
  /** The current resourceVersion (of the last write), as a string. */
  resourceVersion(): string
  /** Objects matching the filters, sorted by namespace then name, and the resourceVersion they reflect. */
  list(
    opts?: ListOptions,
  ): { ok: true; items: KubeObject[]; resourceVersion: string } | { ok: false; status: ApiStatus }
  /** One object, or undefined. */
  get(ref: ObjectRef): KubeObject | undefined
  /** Creates; 409 AlreadyExists, 404 when the namespace does not exist, 422 Invalid. */
  create(obj: KubeObject, opts?: WriteOptions): WriteResult
  /** Replaces; 404 NotFound, 409 Conflict on a stale metadata.resourceVersion, 422 Invalid. */
  replace(obj: KubeObject, opts?: WriteOptions): WriteResult
  /** kubectl apply: create, or three-way merge with the last applied configuration. */
  apply(obj: KubeObject, opts?: WriteOptions): WriteResult & { outcome?: ApplyOutcome }
  /** JSON merge patch of an existing object. */
  patch(ref: ObjectRef, patch: unknown, opts?: WriteOptions): WriteResult
  /** Writes `status` only (the status subresource); spec and generation stay. */
  updateStatus(ref: ObjectRef, status: unknown, opts?: WriteOptions): WriteResult
  /** Deletes (a Namespace with everything in it); returns the deleted object. */
  delete(ref: ObjectRef, opts?: { dryRun?: boolean }): WriteResult
  /**
   * Calls `listener` for every change after `fromResourceVersion` (replayed from the history first),
   * then for every new change; from now when absent. 410 Gone when the history no longer reaches back.
   */
  watch(
    fromResourceVersion: string | undefined,
    listener: (event: WatchEvent) => void,
  ): { ok: true; subscription: Subscription } | { ok: false; status: ApiStatus }
  /** Stops every watch and closes the log. */
  close(): void
}

/** Opens a store (recovering its log when `stateDir` is given). */
export function createStore(options: StoreOptions = {}): Store {
  const historyLimit = options.historyLimit ?? 1000
  const now = options.now ?? (() => new Date())
  const objects = new Map<string, KubeObject>()
  const history: WatchEvent[] = []
  const listeners = new Set<(e: WatchEvent) => void>()
  let rv = 0
  let log: StoreLog | undefined
  if (options.stateDir) {
    log = openStoreLog(options.stateDir)
    if (log.droppedBytes > 0) {
      options.onWarning?.(
        `store log ${options.stateDir}: ignored ${log.droppedBytes} bytes after the last whole record (an interrupted write)`,
      )
    }
    for (const rec of log.recovered) {
      if (rec.op === 'put') objects.set(keyOf(refOf(rec.obj)), deepFreeze(rec.obj))
      else if (rec.op === 'del') objects.delete(rec.key)
      rv = Math.max(rv, rec.rv)
    }
  }

  function compactIfLarge(): void {
    if (!log || log.size() < Math.max(options.compactAfter ?? 1000, objects.size * 4)) return
    const sorted = [...objects.values()].sort(
      (a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion),
    )
    const records: LogRecord[] = [{ op: 'rv', rv }, ...sorted.map((obj) => ({ op: 'put' as const, rv, obj }))]
    log.compact(records)
  }

  /** Events not yet delivered; a listener that writes has its event delivered after the current one. */
  const pending: WatchEvent[] = []
  let delivering = false

  function emit(event: WatchEvent): void {
    history.push(event)
    if (history.length > historyLimit) history.splice(0, history.length - historyLimit)
    pending.push(event)
    if (delivering) return
    delivering = true
    try {
      for (let e = pending.shift(); e; e = pending.shift()) {
        for (const l of [...listeners]) {
          try {
            l(e)
          } catch {
            // A listener's failure is its own; the write is committed.
          }
        }
      }
    } finally {
      delivering = false
    }
  }

  /** Commits a put: new resourceVersion, durable, then visible, then announced. */
  function put(obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    obj.metadata.resourceVersion = String(rv + 1)
    const frozen = deepFreeze(obj)
    log?.append({ op: 'put', rv: rv + 1, obj: frozen })
    rv++
    objects.set(keyOf(refOf(frozen)), frozen)
    emit({ type, object: frozen })
    compactIfLarge()
    return frozen
  }

  function remove(key: string, obj: KubeObject): KubeObject {
    const gone = deepFreeze({
      ...structuredClone(obj),
      metadata: { ...structuredClone(obj.metadata), resourceVersion: String(rv + 1) },
    })
    log?.append({ op: 'del', rv: rv + 1, key })
    rv++
    objects.delete(key)
    emit({ type: 'DELETED', object: gone })
    compactIfLarge()
    return gone
  }

  function namespaceMissing(info: KindInfo, obj: KubeObject): ApiStatus | undefined {
    if (!info.namespaced) return undefined
    const ns = obj.metadata.namespace ?? 'default'
    if (objects.has(keyOf({ group: '', kind: 'Namespace', name: ns }))) return undefined
    const nsInfo = lookupKind('v1', 'Namespace')!
    return st.notFound(nsInfo, ns)
  }

  /** Admission: the Status refusing the object, or the warnings to return with the write. */
  function check(
    info: KindInfo,
    obj: KubeObject,
    opts: WriteOptions,
  ): { denied: ApiStatus } | { denied?: undefined; warnings: { warnings?: string[] } } {
    const { causes, warnings } = admit(info, obj, opts, options.validate)
    if (causes.length > 0) return { denied: st.invalid(info, obj.metadata.name, causes) }
    return { warnings: warnings.length > 0 ? { warnings } : {} }
  }

  /** Writes an updated object over `live`, keeping the fields the server owns. */
  function update(
    info: KindInfo,
    live: KubeObject,
    next: KubeObject,
    opts: WriteOptions,
    keepStatus: boolean,
  ): WriteResult {
    next.metadata = {
      ...next.metadata,
      name: live.metadata.name,
      uid: live.metadata.uid,
      creationTimestamp: live.metadata.creationTimestamp,
      resourceVersion: live.metadata.resourceVersion,
      generation: live.metadata.generation,
    } as KubeObject['metadata']
    if (live.metadata.namespace) next.metadata.namespace = live.metadata.namespace
    if (keepStatus) {
      if (live.status === undefined) delete next.status
      else next.status = structuredClone(live.status)
    }
    keepAllocated(info, live, next)
    const c = check(info, next, opts)
    if (c.denied) return { ok: false, status: c.denied }
    if (deepEqual(next, live)) return { ok: true, object: live, ...c.warnings }
    if (!deepEqual(content(next), content(live))) {
      next.metadata.generation = (live.metadata.generation ?? 0) + 1
    }
    if (opts.dryRun) return { ok: true, object: deepFreeze(next), ...c.warnings }
    return { ok: true, object: put(next, 'MODIFIED'), ...c.warnings }
  }

  function create(input: KubeObject, opts: WriteOptions = {}): WriteResult {
    const p = normalize(input)
    if (!p.ok) return p
    const { info, obj } = p
    const missing = namespaceMissing(info, obj)
    if (missing) return { ok: false, status: missing }
    if (objects.has(keyOf(refOf(obj))))
      return { ok: false, status: st.alreadyExists(info, obj.metadata.name) }
    const c = check(info, obj, opts)
    if (c.denied) return { ok: false, status: c.denied }
    obj.metadata.uid = randomUUID()
    obj.metadata.creationTimestamp = timestamp(now())
    obj.metadata.generation = 1
    delete obj.metadata.resourceVersion
    if (info.kind === 'Namespace') {
      obj.spec = isObject(obj.spec) ? obj.spec : { finalizers: ['kubernetes'] }
      obj.status = { phase: 'Active' }
      obj.metadata.labels = {
        ...(obj.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': obj.metadata.name,
      }
    }
    if (opts.dryRun) return { ok: true, object: deepFreeze(obj), ...c.warnings }
    return { ok: true, object: put(obj, 'ADDED'), ...c.warnings }
  }

  function replace(input: KubeObject, opts: WriteOptions = {}): WriteResult {
    const p = normalize(input)
    if (!p.ok) return p
    const { info, obj } = p
    const live = objects.get(keyOf(refOf(obj)))
    if (!live) return { ok: false, status: st.notFound(info, obj.metadata.name) }
    const want = obj.metadata.resourceVersion
    if (want !== undefined && want !== '' && want !== live.metadata.resourceVersion) {
      return { ok: false, status: st.conflict(info, obj.metadata.name) }
    }
    return update(info, live, obj, opts, true)
  }

  function apply(input: KubeObject, opts: WriteOptions = {}): WriteResult & { outcome?: ApplyOutcome } {
    const p = normalize(input)
    if (!p.ok) return p
    const { info, obj } = p
    const applied = structuredClone(obj)
    delete applied.status
    delete applied.metadata.resourceVersion
    if (applied.metadata.annotations) delete applied.metadata.annotations[LAST_APPLIED]
    const lastText = JSON.stringify(applied)
    const live = objects.get(keyOf(refOf(obj)))
    if (!live) {
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: `${lastText}\n` }
      const r = create(obj, opts)
      return r.ok ? { ...r, outcome: 'created' } : r
    }
    let last: unknown
    try {
      last = JSON.parse(live.metadata.annotations?.[LAST_APPLIED] ?? 'null')
    } catch {
      last = undefined
    }
    const merged = applyMerge(structuredClone(live), applied, last) as KubeObject
    merged.metadata.annotations = { ...(merged.metadata.annotations ?? {}), [LAST_APPLIED]: `${lastText}\n` }
    const r = update(info, live, merged, opts, true)
    if (!r.ok) return r
    const warnings = [...(r.warnings ?? [])]
    if (last === null || last === undefined) {
      warnings.unshift(
        `resource ${st.resourceName(info)}/${live.metadata.name} is missing the ${LAST_APPLIED} annotation which is required by weir apply. weir apply should only be used on resources created declaratively by either weir create --save-config or weir apply. The missing annotation will be patched automatically.`,
      )
    }
    return {
      ...r,
      ...(warnings.length > 0 ? { warnings } : {}),
      outcome:
        r.object.metadata.resourceVersion === live.metadata.resourceVersion ? 'unchanged' : 'configured',
    }
  }

  function lookupRef(ref: ObjectRef): { info: KindInfo; live: KubeObject | undefined } {
    const live = objects.get(keyOf(ref))
    const info = lookupKindByGroupKind(ref.group, ref.kind) ?? kindOf(ref)
    return { info, live }
  }

  function patch(ref: ObjectRef, body: unknown, opts: WriteOptions = {}): WriteResult {
    const { info, live } = lookupRef(ref)
    if (!live) return { ok: false, status: st.notFound(info, ref.name) }
    if (!isObject(body)) return { ok: false, status: st.badRequest('a merge patch must be a JSON object') }
    const next = mergePatch(structuredClone(live), body) as KubeObject
    if (!isObject(next.metadata)) next.metadata = structuredClone(live.metadata)
    const want = isObject(body) && isObject(body.metadata) ? body.metadata.resourceVersion : undefined
    if (typeof want === 'string' && want !== live.metadata.resourceVersion) {
      return { ok: false, status: st.conflict(info, ref.name) }
    }
    next.apiVersion = live.apiVersion
    next.kind = live.kind
    return update(info, live, next, opts, true)
  }

  function updateStatus(ref: ObjectRef, status: unknown, opts: WriteOptions = {}): WriteResult {
    const { info, live } = lookupRef(ref)
    if (!live) return { ok: false, status: st.notFound(info, ref.name) }
    const next = { ...structuredClone(live), status: structuredClone(status) } as KubeObject
    return update(info, live, next, opts, false)
  }

  function del(ref: ObjectRef, opts: { dryRun?: boolean } = {}): WriteResult {
    const { info, live } = lookupRef(ref)
    if (!live) return { ok: false, status: st.notFound(info, ref.name) }
    if (ref.kind === 'Namespace' && ref.group === '') {
      if (PROTECTED_NAMESPACES.includes(ref.name)) {
        return { ok: false, status: st.forbidden(info, ref.name, 'this namespace may not be deleted') }
      }
      if (opts.dryRun) return { ok: true, object: live }
      for (const [key, obj] of [...objects]) {
        if (obj.metadata.namespace === ref.name) remove(key, obj)
      }
    }
    if (opts.dryRun) return { ok: true, object: live }
    return { ok: true, object: remove(keyOf(ref), live) }
  }

  function list(opts: ListOptions = {}): ReturnType<Store['list']> {
    const labels = parseLabelSelector(opts.labelSelector)
    if (!labels.ok)
      return { ok: false, status: st.badRequest(`unable to parse requirement: ${labels.error}`) }
    const fields = parseFieldSelector(opts.fieldSelector)
    if (!fields.ok) return { ok: false, status: st.badRequest(fields.error) }
    const items = [...objects.values()].filter((o) => {
      if (opts.kind !== undefined && o.kind !== opts.kind) return false
      if (opts.group !== undefined && splitApiVersion(o.apiVersion).group !== opts.group) return false
      if (opts.namespace !== undefined && o.metadata.namespace !== opts.namespace) return false
      return labels.matches(o) && fields.matches(o)
    })
    items.sort((a, b) => {
      const na = a.metadata.namespace ?? ''
      const nb = b.metadata.namespace ?? ''
      if (na !== nb) return na < nb ? -1 : 1
      return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
    })
    return { ok: true, items, resourceVersion: String(rv) }
  }

  function watch(from: string | undefined, listener: (e: WatchEvent) => void): ReturnType<Store['watch']> {
    if (from !== undefined && from !== '') {
      const n = Number(from)
      if (!Number.isInteger(n) || n < 0) {
        return { ok: false, status: st.badRequest(`invalid resourceVersion "${from}"`) }
      }
      const oldest = history[0] ? Number(history[0].object.metadata.resourceVersion) : rv + 1
      if (n < rv && n < oldest - 1) {
        return { ok: false, status: st.gone(`too old resource version: ${n} (${oldest - 1})`) }
      }
      for (const e of history) if (Number(e.object.metadata.resourceVersion) > n) listener(e)
    }
    listeners.add(listener)
    return { ok: true, subscription: { close: () => listeners.delete(listener) } }
  }

  return {
    resourceVersion: () => String(rv),
    list,
    get: (ref) => objects.get(keyOf(ref)),
    create,
    replace,
    apply,
    patch,
    updateStatus,
    delete: del,
    watch,
    close() {
      listeners.clear()
      log?.close()
      log = undefined
    },
  }
}
