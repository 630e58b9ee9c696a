import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Diagnostic } from '../../src/api/diagnostics.ts'
import { posOf, type Resource, specOf } from '../../src/api/resource.ts'
import { type ControlPlane, startControlPlane } from '../../src/controlplane/server.ts'

const dirs: string[] = []
const planes: ControlPlane[] = []
after(async () => {
  for (const p of planes) await p.close()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A validator standing in for src/api/validate.ts: negative route weights are errors, label `old` warns. */
function validate(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = []
  const http = (specOf(r).http ?? []) as { route?: { weight?: number }[] }[]
  http.forEach((h, i) => {
    h.route?.forEach((d, j) => {
      if ((d.weight ?? 0) < 0) {
        const path = `spec.http[${i}].route[${j}].weight`
        const source = posOf(r, ['spec', 'http', i, 'route', j, 'weight'])
        out.push({
          code: 'WEIR0101',
          severity: 'Error',
          message: 'must be >= 0',
          path,
          ...(source ? { source } : {}),
        })
      }
    })
  })
  if (r.metadata.labels?.old)
    out.push({ code: 'WEIR0103', severity: 'Warning', message: 'label "old" is deprecated' })
  return out
}

async function start(dir?: string): Promise<ControlPlane & { dir: string }> {
  const stateDir = dir ?? mkdtempSync(join(tmpdir(), 'weir-api-'))
  if (!dir) dirs.push(stateDir)
  const cp = await startControlPlane({ stateDir, validate })
  planes.push(cp)
  return Object.assign(cp, { dir: stateDir })
}

interface Reply {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

async function call(
  cp: ControlPlane,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(cp.url + path, {
    method,
    headers: {
      authorization: `Bearer ${cp.token}`,
      'content-type': 'application/json',
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  let parsed: Record<string, unknown> = {}
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    parsed = { text }
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

const VS = '/apis/networking.istio.io/v1/namespaces/default/virtualservices'
const vs = (name: string, hosts: string[], labels?: Record<string, string>) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { hosts },
})

test('every request needs the bearer token; the token file is 0600 and server.json names the URL', async () => {
  const cp = await start()
  const none = await fetch(`${cp.url}/api/v1/namespaces`)
  assert.equal(none.status, 401)
  assert.equal(((await none.json()) as { reason: string }).reason, 'Unauthorized')
  const wrong = await fetch(`${cp.url}/healthz`, { headers: { authorization: 'Bearer nope' } })
  assert.equal(wrong.status, 401)
  assert.equal((await call(cp, 'GET', '/healthz')).status, 200)
  assert.equal(statSync(join(cp.dir, 'token')).mode & 0o777, 0o600)
  assert.equal(readFileSync(join(cp.dir, 'token'), 'utf8').trim(), cp.token)
  const server = JSON.parse(readFileSync(join(cp.dir, 'server.json'), 'utf8')) as { url: string; pid: number }
  assert.deepEqual(server, { url: cp.url, pid: process.pid })
})

test('bad requests get a Status, never take the server down', async () => {
  const cp = await start()
  assert.equal((await call(cp, 'GET', '/api/v1/namespaces/%E0%A4%A/pods')).status, 400)
  const badJson = await call(cp, 'POST', VS, '{"apiVersion": ')
  assert.equal(badJson.status, 400)
  assert.equal(badJson.body.kind, 'Status')
  assert.equal((await call(cp, 'POST', VS, 'x'.repeat(4 * 1024 * 1024))).status, 413)
  assert.equal((await call(cp, 'GET', '/nothing/here')).status, 404)
  const wrongKind = await call(cp, 'POST', VS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a' },
  })
  assert.equal(wrongKind.status, 400)
  const wrongGroup = await call(cp, 'POST', '/apis/networking.istio.io/v1/namespaces/default/gateways', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g' },
  })
  assert.equal(wrongGroup.status, 400)
  const wrongNs = await call(cp, 'POST', VS, {
    ...vs('a', ['x']),
    metadata: { name: 'a', namespace: 'other' },
  })
  assert.equal(wrongNs.status, 400)
  assert.equal((await call(cp, 'PATCH', `${VS}/a`, '{}', { 'content-type': 'text/plain' })).status, 415)
  await call(cp, 'POST', VS, vs('p', ['x']))
  const notObject = await call(cp, 'PATCH', `${VS}/p`, '"text"', {
    'content-type': 'application/merge-patch+json',
  })
  assert.equal(notObject.status, 400)
  assert.equal((await call(cp, 'GET', '/healthz')).status, 200)
})

test('one control plane per state dir; after a kill -9 a new one starts and has the data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-api-'))
  dirs.push(dir)
  const child = spawn(process.execPath, [fileURLToPath(new URL('./serve-child.ts', import.meta.url)), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let url = ''
  try {
    url = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error('child control plane did not start')), 15_000)
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('\n')) {
          clearTimeout(timer)
          resolve(out.trim())
        }
      })
    })
    const token = readFileSync(join(dir, 'token'), 'utf8').trim()
    const made = await fetch(`${url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } }),
    })
    assert.equal(made.status, 201)
    await assert.rejects(startControlPlane({ stateDir: dir }), /already serving/)
  } finally {
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
  }
  const cp = await start(dir)
  assert.equal(cp.url, url, 'a restart after a crash takes the same address when it is free')
  assert.equal((await call(cp, 'GET', '/api/v1/namespaces/kept')).status, 200)
})

test('discovery: /api, /apis, /api/v1, /apis/networking.istio.io/v1, /version', async () => {
  const cp = await start()
  assert.deepEqual((await call(cp, 'GET', '/api')).body.versions, ['v1'])
  const groups = (await call(cp, 'GET', '/apis')).body.groups as { name: string }[]
  assert.ok(groups.some((g) => g.name === 'networking.istio.io'))
  const core = (await call(cp, 'GET', '/api/v1')).body.resources as { name: string; namespaced: boolean }[]
  assert.ok(core.some((r) => r.name === 'pods' && r.namespaced))
  assert.ok(core.some((r) => r.name === 'namespaces' && !r.namespaced))
  const net = (await call(cp, 'GET', '/apis/networking.istio.io/v1')).body.resources as { name: string }[]
  assert.ok(net.some((r) => r.name === 'virtualservices'))
  assert.equal((await call(cp, 'GET', '/version')).body.major, '1')
  assert.equal((await call(cp, 'GET', '/apis/nope.io/v1')).status, 404)
})

test('create, get, list with selectors, replace with conflicts, merge patch, delete', async () => {
  const cp = await start()
  const created = await call(cp, 'POST', VS, vs('a', ['a.example.com'], { app: 'web' }))
  assert.equal(created.status, 201)
  const meta = created.body.metadata as Record<string, unknown>
  assert.equal(meta.namespace, 'default')
  assert.equal(meta.generation, 1)
  assert.match(String(meta.resourceVersion), /^\d+$/)

  const dup = await call(cp, 'POST', VS, vs('a', ['x']))
  assert.equal(dup.status, 409)
  assert.deepEqual(
    { kind: dup.body.kind, status: dup.body.status, reason: dup.body.reason, code: dup.body.code },
    { kind: 'Status', status: 'Failure', reason: 'AlreadyExists', code: 409 },
  )
  assert.equal(dup.body.message, 'virtualservices.networking.istio.io "a" already exists')

  await call(cp, 'POST', VS, vs('b', ['b.example.com'], { app: 'db' }))
  const sel = await call(cp, 'GET', `${VS}?labelSelector=${encodeURIComponent('app in (web)')}`)
  assert.equal(sel.body.kind, 'VirtualServiceList')
  assert.deepEqual(
    (sel.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
    ['a'],
  )
  const byField = await call(
    cp,
    'GET',
    `/apis/networking.istio.io/v1/virtualservices?fieldSelector=metadata.name%3Db`,
  )
  assert.deepEqual(
    (byField.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
    ['b'],
  )

  const got = await call(cp, 'GET', `${VS}/a`)
  assert.equal(got.status, 200)
  const rv = (got.body.metadata as { resourceVersion: string }).resourceVersion
  const replaced = await call(cp, 'PUT', `${VS}/a`, {
    ...vs('a', ['c.example.com']),
    metadata: { name: 'a', resourceVersion: rv },
  })
  assert.equal(replaced.status, 200)
  assert.equal((replaced.body.metadata as { generation: number }).generation, 2)
  const stale = await call(cp, 'PUT', `${VS}/a`, {
    ...vs('a', ['d']),
    metadata: { name: 'a', resourceVersion: rv },
  })
  assert.equal(stale.status, 409)
  assert.equal(stale.body.reason, 'Conflict')

  const patched = await call(
    cp,
    'PATCH',
    `${VS}/a`,
    { metadata: { labels: { tier: 'front' } } },
    {
      'content-type': 'application/merge-patch+json',
    },
  )
  assert.deepEqual((patched.body.metadata as { labels: unknown }).labels, { tier: 'front' })

  assert.equal((await call(cp, 'DELETE', `${VS}/a`)).status, 200)
  const gone = await call(cp, 'DELETE', `${VS}/a`)
  assert.equal(gone.status, 404)
  assert.equal(gone.body.reason, 'NotFound')
  assert.equal(gone.body.message, 'virtualservices.networking.istio.io "a" not found')
  assert.equal((await call(cp, 'GET', `${VS}/a`)).status, 404)
})

test('namespaces: 404 creating into a missing one; deleting one deletes its objects', async () => {
  const cp = await start()
  const missing = await call(
    cp,
    'POST',
    '/apis/networking.istio.io/v1/namespaces/voting/virtualservices',
    vs('a', ['x']),
  )
  assert.equal(missing.status, 404)
  assert.equal(missing.body.message, 'namespaces "voting" not found')
  assert.equal(
    (
      await call(cp, 'POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'voting' },
      })
    ).status,
    201,
  )
  assert.equal(
    (await call(cp, 'POST', '/apis/networking.istio.io/v1/namespaces/voting/virtualservices', vs('a', ['x'])))
      .status,
    201,
  )
  assert.equal((await call(cp, 'DELETE', '/api/v1/namespaces/voting')).status, 200)
  const all = await call(cp, 'GET', '/apis/networking.istio.io/v1/virtualservices')
  assert.deepEqual(all.body.items, [])
  const names = (
    (await call(cp, 'GET', '/api/v1/namespaces')).body.items as { metadata: { name: string } }[]
  ).map((n) => n.metadata.name)
  assert.deepEqual(names, ['default', 'istio-system', 'kube-system'])
  assert.equal((await call(cp, 'GET', '/api/v1/namespaces/istio-system/configmaps/istio')).status, 200)
})

test('server-side apply: created (201), unchanged, configured', async () => {
  const cp = await start()
  const yaml = (host: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [${host}]\n`
  const h = { 'content-type': 'application/apply-patch+yaml' }
  const first = await call(cp, 'PATCH', `${VS}/r`, yaml('a'), h)
  assert.equal(first.status, 201)
  assert.equal(first.headers.get('x-weir-apply-outcome'), 'created')
  const same = await call(cp, 'PATCH', `${VS}/r`, yaml('a'), h)
  assert.equal(same.headers.get('x-weir-apply-outcome'), 'unchanged')
  assert.equal(
    (same.body.metadata as { resourceVersion: string }).resourceVersion,
    (first.body.metadata as { resourceVersion: string }).resourceVersion,
  )
  const changed = await call(cp, 'PATCH', `${VS}/r`, yaml('b'), h)
  assert.equal(changed.status, 200)
  assert.equal(changed.headers.get('x-weir-apply-outcome'), 'configured')
})

test('422 Invalid carries causes with field paths and the file:line of the YAML sent; nothing is stored', async () => {
  const cp = await start()
  const text =
    'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: Not_Valid\nspec:\n  hosts: [x]\n'
  const r = await call(cp, 'PATCH', `${VS}/Not_Valid`, text, {
    'content-type': 'application/apply-patch+yaml',
    'x-weir-source': 'vs.yaml',
  })
  assert.equal(r.status, 422)
  assert.equal(r.body.reason, 'Invalid')
  const causes = (r.body.details as { causes: { field: string; source: string }[] }).causes
  assert.equal(causes[0]?.field, 'metadata.name')
  assert.equal(causes[0]?.source, 'vs.yaml:4:9')
  assert.match(
    String(r.body.message),
    /^VirtualService\.networking\.istio\.io "Not_Valid" is invalid: metadata\.name: /,
  )
  assert.equal((await call(cp, 'GET', `${VS}/Not_Valid`)).status, 404)
})

test('422 from the validator: field paths, file:line of the YAML sent; warnings as Warning headers', async () => {
  const cp = await start()
  const text = [
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata:',
    '  name: w',
    'spec:',
    '  hosts: [x]',
    '  http:',
    '  - route:',
    '    - destination: {host: x}',
    '      weight: -5',
    '',
  ].join('\n')
  const r = await call(cp, 'POST', VS, text, {
    'content-type': 'application/yaml',
    'x-weir-source': 'w.yaml',
  })
  assert.equal(r.status, 422)
  assert.deepEqual((r.body.details as { causes: unknown[] }).causes, [
    {
      reason: 'FieldValueInvalid',
      message: 'must be >= 0',
      field: 'spec.http[0].route[0].weight',
      source: 'w.yaml:10:15',
    },
  ])
  assert.equal(
    r.body.message,
    'VirtualService.networking.istio.io "w" is invalid: spec.http[0].route[0].weight: must be >= 0',
  )
  const json = await call(cp, 'POST', VS, {
    ...vs('w', ['x']),
    spec: { hosts: ['x'], http: [{ route: [{ weight: -1 }] }] },
  })
  assert.equal(json.status, 422)
  assert.equal((json.body.details as { causes: { source?: string }[] }).causes[0]?.source, undefined)
  const warned = await call(cp, 'POST', VS, vs('w', ['x'], { old: 'yes' }))
  assert.equal(warned.status, 201)
  assert.equal(warned.headers.get('warning'), '299 - "label \\"old\\" is deprecated"')
})

test('pod status subresource: writes status only', async () => {
  const cp = await start()
  const pods = '/api/v1/namespaces/default/pods'
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'app', image: 'a' }] },
  }
  assert.equal((await call(cp, 'POST', pods, pod)).status, 201)
  const st = await call(cp, 'PUT', `${pods}/p/status`, {
    ...pod,
    spec: { containers: [{ name: 'app', image: 'changed' }] },
    status: { phase: 'Running', podIP: '127.0.0.5' },
  })
  assert.equal(st.status, 200)
  assert.deepEqual(st.body.status, { phase: 'Running', podIP: '127.0.0.5' })
  assert.equal((st.body.spec as { containers: { image: string }[] }).containers[0]?.image, 'a')
  const patched = await call(
    cp,
    'PATCH',
    `${pods}/p/status`,
    { status: { phase: 'Failed' } },
    {
      'content-type': 'application/merge-patch+json',
    },
  )
  assert.deepEqual(patched.body.status, { phase: 'Failed', podIP: '127.0.0.5' })
})

/** Reads watch events until `count` have arrived (bounded by a timeout). */
async function watchEvents(
  cp: ControlPlane,
  path: string,
  count: number,
  during: () => Promise<void>,
): Promise<{ type: string; object: { metadata: { name: string; resourceVersion: string } } }[]> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), 10_000)
  const res = await fetch(cp.url + path, {
    headers: { authorization: `Bearer ${cp.token}` },
    signal: ac.signal,
  })
  assert.equal(res.status, 200)
  const events: { type: string; object: { metadata: { name: string; resourceVersion: string } } }[] = []
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  await during()
  try {
    while (events.length < count) {
      const { value, done } = await reader.read()
      if (done) break
      buf += decoder.decode(value, { stream: true })
      let nl = buf.indexOf('\n')
      while (nl >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)))
        buf = buf.slice(nl + 1)
        nl = buf.indexOf('\n')
      }
    }
  } finally {
    clearTimeout(timer)
    ac.abort()
  }
  return events
}

test('watch: events after a resourceVersion, initial ADDED without one, 410 Gone after a restart', async () => {
  const cp = await start()
  const a = await call(cp, 'POST', VS, vs('a', ['x']))
  const rv = (a.body.metadata as { resourceVersion: string }).resourceVersion
  const events = await watchEvents(cp, `${VS}?watch=true&resourceVersion=${rv}`, 3, async () => {
    await call(cp, 'POST', VS, vs('b', ['x']))
    await call(cp, 'PUT', `${VS}/b`, vs('b', ['y']))
    await call(cp, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'not-watched' },
    })
    await call(cp, 'DELETE', `${VS}/a`)
  })
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED b', 'MODIFIED b', 'DELETED a'],
  )
  assert.ok(Number(events[0]!.object.metadata.resourceVersion) > Number(rv))

  const initial = await watchEvents(cp, `${VS}?watch=1`, 2, async () => {
    await call(cp, 'POST', VS, vs('c', ['x']))
  })
  assert.deepEqual(
    initial.map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED b', 'ADDED c'],
  )

  await cp.close()
  const again = await start(cp.dir)
  assert.equal(again.token, cp.token, 'the token survives a restart')
  const b = await call(again, 'GET', `${VS}/b`)
  assert.deepEqual((b.body.spec as { hosts: string[] }).hosts, ['y'])
  const old = await call(again, 'GET', `${VS}?watch=true&resourceVersion=${rv}`)
  assert.equal(old.status, 410)
  assert.equal(old.body.kind, 'Status')
})
