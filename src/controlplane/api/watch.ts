/** @module controlplane/api/watch — `?watch=true`: a stream of newline-delimited watch events. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseFieldSelector, parseLabelSelector } from '../store/selectors.ts'
import { badRequest } from '../store/status.ts'
import type { Store } from '../store/store.ts'
import type { KubeObject, ListOptions, WatchEvent } from '../store/types.ts'
import { sendStatus } from './respond.ts'

/** A watcher that cannot keep up is cut off past this much buffered output. */
const MAX_BUFFERED = 16 * 1024 * 1024

/**
 * Streams events matching `filter` from after `resourceVersion`. Without one (or with "0") the stream
 * starts with an ADDED event for every matching object, as Kubernetes does.
 */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  filter: ListOptions,
  resourceVersion: string | undefined,
  timeoutSeconds: number | undefined,
): void {
  const labels = parseLabelSelector(filter.labelSelector)
  const fields = parseFieldSelector(filter.fieldSelector)
  if (!labels.ok || !fields.ok) {
    sendStatus(res, badRequest(labels.ok ? (fields.ok ? '' : fields.error) : labels.error))
    return
  }
  const matches = (o: KubeObject): boolean =>
    (filter.kind === undefined || o.kind === filter.kind) &&
    (filter.group === undefined ||
      (o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : '') ===
        filter.group) &&
    (filter.namespace === undefined || o.metadata.namespace === filter.namespace) &&
    labels.matches(o) &&
    fields.matches(o)

  const pending: WatchEvent[] = []
  let from = resourceVersion
  if (from === undefined || from === '' || from === '0') {
    const listed = store.list(filter)
    if (!listed.ok) {
      sendStatus(res, listed.status)
      return
    }
    for (const object of listed.items) pending.push({ type: 'ADDED', object })
    from = listed.resourceVersion
  }
  let started = false
  const write = (e: WatchEvent): void => {
    if (!matches(e.object)) return
    if (!started) {
      pending.push(e)
      return
    }
    res.write(`${JSON.stringify(e)}\n`)
    if (res.writableLength > MAX_BUFFERED) res.destroy()
  }
  const w = store.watch(from, write)
  if (!w.ok) {
    sendStatus(res, w.status)
    return
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' })
  started = true
  for (const e of pending) res.write(`${JSON.stringify(e)}\n`)
  res.flushHeaders()
  let timer: NodeJS.Timeout | undefined
  const stop = (): void => {
    w.subscription.close()
    if (timer) clearTimeout(timer)
  }
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
    timer = setTimeout(() => {
      stop()
      res.end()
    }, timeoutSeconds * 1000)
  }
  req.on('close', stop)
  res.on('close', stop)
}
