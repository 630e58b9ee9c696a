/** @module controlplane/api/handler — the Kubernetes-style REST API over the store. */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type KindInfo, splitApiVersion } from '../../api/kinds.ts'
import { isObject, mergePatch } from '../store/merge.ts'
import * as st from '../store/status.ts'
import type { Store } from '../store/store.ts'
import type { KubeObject, ListOptions, ObjectRef, WriteOptions, WriteResult } from '../store/types.ts'
import { readBody } from './body.ts'
import { apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.ts'
import { sendJson, sendStatus } from './respond.ts'
import { route } from './routes.ts'
import { serveWatch } from './watch.ts'

/** Header naming the file a YAML body came from, so diagnostics carry `file:line`. */
export const SOURCE_HEADER = 'x-weir-source'
/** Header with the outcome of an apply patch: created, configured or unchanged. */
export const APPLY_OUTCOME_HEADER = 'x-weir-apply-outcome'

type Target = Extract<ReturnType<typeof route>, { type: 'object' }>

function authorized(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization ?? ''
  const m = /^Bearer\s+(\S+)$/i.exec(h)
  if (!m) return false
  const a = Buffer.from(m[1]!)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function refFor(t: Target, name: string): ObjectRef {
  return { group: t.info.group, kind: t.info.kind, ...(t.namespace ? { namespace: t.namespace } : {}), name }
}

/** `299 - "text"`, as the Kubernetes API server sends warnings (printable ASCII only). */
function warningHeader(text: string): string {
  return `299 - "${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`
}

function sendWrite(
  res: ServerResponse,
  r: WriteResult,
  okCode: number,
  headers: Record<string, string> = {},
): void {
  if (!r.ok) {
    sendStatus(res, r.status)
    return
  }
  if (r.warnings?.length) res.setHeader('warning', r.warnings.map(warningHeader))
  sendJson(res, okCode, r.object, headers)
}

/** Checks that a body is an object of the path's kind, namespace and name; fills the namespace. */
function bodyFor(
  t: Target,
  value: unknown,
  name: string | undefined,
): { ok: true; obj: KubeObject } | { ok: false; status: ReturnType<typeof st.badRequest> } {
  if (!isObject(value)) return { ok: false, status: st.badRequest('the request body is not an object') }
  const obj = value as KubeObject
  if (!isObject(obj.metadata)) obj.metadata = { name: name ?? '' }
  if (typeof obj.apiVersion !== 'string')
    obj.apiVersion = t.info.group === '' ? t.version : `${t.info.group}/${t.version}`
  if (typeof obj.kind !== 'string') obj.kind = t.info.kind
  if (obj.kind !== t.info.kind || splitApiVersion(obj.apiVersion).group !== t.info.group) {
    return {
      ok: false,
      status: st.badRequest(
        `the kind of the object (${obj.apiVersion} ${String(obj.kind)}) does not match the path (${t.info.kind})`,
      ),
    }
  }
  if (t.namespace !== undefined) {
    if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace) {
      return {
        ok: false,
        status: st.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      }
    }
    obj.metadata.namespace = t.namespace
  }
  if (name !== undefined) {
    if (!obj.metadata.name) obj.metadata.name = name
    if (obj.metadata.name !== name) {
      return { ok: false, status: st.badRequest('the name of the object does not match the name on the URL') }
    }
  }
  return { ok: true, obj }
}

function listKind(info: KindInfo, version: string): { apiVersion: string; kind: string } {
  return { apiVersion: info.group === '' ? version : `${info.group}/${version}`, kind: `${info.kind}List` }
}

async function serveObject(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  t: Target,
  q: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET'
  const dryRun = q.getAll('dryRun').includes('All')
  if (t.info.namespaced && t.name !== undefined && t.namespace === undefined) {
    sendStatus(res, st.failure(404, 'NotFound', 'the server could not find the requested resource'))
    return
  }
  if (t.name === undefined) {
    const filter: ListOptions = {
      group: t.info.group,
      kind: t.info.kind,
      ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
      ...(q.get('labelSelector') ? { labelSelector: q.get('labelSelector')! } : {}),
      ...(q.get('fieldSelector') ? { fieldSelector: q.get('fieldSelector')! } : {}),
    }
    if (method === 'GET') {
      const w = q.get('watch')
      if (w === 'true' || w === '1') {
        const to = q.get('timeoutSeconds')
        serveWatch(
          req,
          res,
          store,
          filter,
          q.get('resourceVersion') ?? undefined,
          to ? Number(to) : undefined,
        )
        return
      }
      const listed = store.list(filter)
      if (!listed.ok) return sendStatus(res, listed.status)
      sendJson(res, 200, {
        ...listKind(t.info, t.version),
        metadata: { resourceVersion: listed.resourceVersion },
        items: listed.items,
      })
      return
    }
    if (method === 'POST') {
      const body = await readBody(req)
      if (!body.ok) return sendStatus(res, st.failure(body.code, 'BadRequest', body.message))
      const b = bodyFor(t, body.value, undefined)
      if (!b.ok) return sendStatus(res, b.status)
      sendWrite(res, store.create(b.obj, writeOpts(req, body, dryRun)), 201)
      return
    }
    return sendStatus(res, st.failure(405, 'MethodNotAllowed', `${method} is not supported on a collection`))
  }

  const ref = refFor(t, t.name)
  if (method === 'GET') {
    const obj = store.get(ref)
    if (!obj) return sendStatus(res, st.notFound(t.info, t.name))
    sendJson(res, 200, obj)
    return
  }
  if (method === 'DELETE') {
    sendWrite(res, store.delete(ref, { dryRun }), 200)
    return
  }
  if (method !== 'PUT' && method !== 'PATCH') {
    return sendStatus(res, st.failure(405, 'MethodNotAllowed', `${method} is not supported`))
  }
  const body = await readBody(req)
  if (!body.ok) return sendStatus(res, st.failure(body.code, 'BadRequest', body.message))
  const opts = writeOpts(req, body, dryRun)
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (t.subresource === 'status') {
    const live = store.get(ref)
    if (!live) return sendStatus(res, st.notFound(t.info, t.name))
    const next = method === 'PUT' ? body.value : mergePatch(live, body.value)
    const status = isObject(next) ? next.status : undefined
    sendWrite(res, store.updateStatus(ref, status, opts), 200)
    return
  }
  if (method === 'PUT') {
    const b = bodyFor(t, body.value, t.name)
    if (!b.ok) return sendStatus(res, b.status)
    sendWrite(res, store.replace(b.obj, opts), 200)
    return
  }
  if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+json') {
    const b = bodyFor(t, body.value, t.name)
    if (!b.ok) return sendStatus(res, b.status)
    const r = store.apply(b.obj, opts)
    const outcome = r.ok ? { [APPLY_OUTCOME_HEADER]: r.outcome ?? 'configured' } : undefined
    sendWrite(res, r, r.ok && r.outcome === 'created' ? 201 : 200, outcome)
    return
  }
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    sendWrite(res, store.patch(ref, body.value, opts), 200)
    return
  }
  sendStatus(
    res,
    st.failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`,
    ),
  )
}

function writeOpts(
  req: IncomingMessage,
  body: { text: string; yaml: boolean },
  dryRun: boolean,
): WriteOptions {
  // Positions only mean something when the client says which file the YAML body is.
  const file = req.headers[SOURCE_HEADER]
  return {
    ...(dryRun ? { dryRun: true } : {}),
    ...(body.yaml && typeof file === 'string'
      ? { source: { text: body.text, file: decodeURIComponent(file) } }
      : {}),
  }
}

/** Creates the request handler for a store, guarded by a bearer token. */
export function createApiHandler(
  store: Store,
  token: string,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, store, token).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err)
      if (!res.headersSent) sendStatus(res, st.failure(500, 'InternalError', message))
      else res.destroy()
    })
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, store: Store, token: string): Promise<void> {
  if (!authorized(req, token)) {
    sendStatus(res, st.failure(401, 'Unauthorized', 'Unauthorized'))
    return
  }
  let url: URL
  let r: ReturnType<typeof route>
  try {
    url = new URL(req.url ?? '/', 'http://x')
    r = route(url.pathname)
  } catch {
    sendStatus(res, st.badRequest(`malformed request path: ${JSON.stringify(req.url)}`))
    return
  }
  const method = req.method ?? 'GET'
  if (r.type === 'discovery' || r.type === 'resources') {
    if (method !== 'GET') {
      sendStatus(res, st.failure(405, 'MethodNotAllowed', `${method} is not supported`))
    } else if (r.type === 'resources') sendJson(res, 200, apiResourceList(r.group, r.version))
    else if (r.what === 'healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
    } else {
      sendJson(
        res,
        200,
        r.what === 'api' ? apiVersions() : r.what === 'apis' ? apiGroupList() : versionInfo(),
      )
    }
    return
  }
  if (r.type === 'unknown') {
    sendStatus(res, st.failure(404, 'NotFound', 'the server could not find the requested resource'))
    return
  }
  await serveObject(req, res, store, r, url.searchParams)
}
