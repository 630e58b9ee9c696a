import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { seedStore } from './seed.ts'
import { createStore, LAST_APPLIED, type Store } from './store.ts'
import type { KubeObject, WatchEvent } from './types.ts'

const dirs: string[] = []
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'weir-store-'))
  dirs.push(d)
  return d
}

function seeded(opts: Parameters<typeof createStore>[0] = {}): Store {
  const s = createStore(opts)
  seedStore(s, { fresh: s.resourceVersion() === '0' })
  return s
}

const vs = (name: string, hosts: string[], ns = 'default', extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'VirtualService',
  metadata: { name, namespace: ns },
  spec: { hosts, http: [{ route: [{ destination: { host: 'reviews' } }] }] },
  ...extra,
})

function ok<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  assert.ok(r.ok, JSON.stringify(r))
  return r as Extract<T, { ok: true }>
}

test('seeds the system namespaces and the istio ConfigMap with ALLOW_ANY', () => {
  const s = seeded()
  const names = ok(s.list({ kind: 'Namespace' })).items.map((n) => n.metadata.name)
  assert.deepEqual(names, ['default', 'istio-system', 'kube-system'])
  const cm = s.get({ group: '', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' })
  const mesh = (cm!.data as Record<string, string>).mesh ?? ''
  // The tutorial switches the mode with `sed 's/mode: ALLOW_ANY/mode: REGISTRY_ONLY/g'`.
  assert.match(mesh, /^outboundTrafficPolicy:\n {2}mode: ALLOW_ANY$/m)
  assert.match(mesh, /^accessLogFile: \/dev\/stdout$/m)
})

test('sets resourceVersion, uid, generation and creationTimestamp; keeps the apiVersion written', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const s = seeded({ now: () => new Date(clock) })
  const a = ok(s.create(vs('a', ['x']))).object
  assert.equal(a.apiVersion, 'networking.istio.io/v1alpha3')
  assert.equal(a.metadata.generation, 1)
  assert.equal(a.metadata.creationTimestamp, '2026-01-01T00:00:00Z')
  assert.match(a.metadata.uid ?? '', /^[0-9a-f-]{36}$/)
  clock += 60_000
  const b = ok(s.replace({ ...vs('a', ['y']), apiVersion: 'networking.istio.io/v1' })).object
  assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion))
  assert.equal(b.metadata.generation, 2)
  assert.equal(b.metadata.creationTimestamp, '2026-01-01T00:00:00Z', 'creationTimestamp survives updates')
  assert.equal(b.metadata.uid, a.metadata.uid)
  assert.equal(b.apiVersion, 'networking.istio.io/v1')
  // The same object under another version is the same identity.
  assert.equal(s.create(vs('a', ['z'])).ok, false)
  // A label change is not a spec change.
  const c = ok(
    s.patch(
      { group: 'networking.istio.io', kind: 'VirtualService', namespace: 'default', name: 'a' },
      { metadata: { labels: { x: 'y' } } },
    ),
  ).object
  assert.equal(c.metadata.generation, 2)
  assert.equal(c.metadata.labels?.x, 'y')
})

test('refuses: AlreadyExists, NotFound namespace, Conflict on stale resourceVersion, Invalid name', () => {
  const s = seeded()
  ok(s.create(vs('a', ['x'])))
  const dup = s.create(vs('a', ['x']))
  assert.ok(!dup.ok && dup.status.code === 409 && dup.status.reason === 'AlreadyExists')
  assert.equal(!dup.ok && dup.status.message, 'virtualservices.networking.istio.io "a" already exists')
  const noNs = s.create(vs('a', ['x'], 'voting'))
  assert.ok(!noNs.ok && noNs.status.code === 404)
  assert.equal(!noNs.ok && noNs.status.message, 'namespaces "voting" not found')
  const stale = s.replace({
    ...vs('a', ['y']),
    metadata: { name: 'a', namespace: 'default', resourceVersion: '1' },
  })
  assert.ok(!stale.ok && stale.status.code === 409 && stale.status.reason === 'Conflict')
  const bad = s.create(vs('Bad_Name', ['x']))
  assert.ok(!bad.ok && bad.status.code === 422 && bad.status.reason === 'Invalid')
  assert.equal(!bad.ok && bad.status.details?.causes?.[0]?.field, 'metadata.name')
  assert.equal(
    s.get({ group: 'networking.istio.io', kind: 'VirtualService', namespace: 'default', name: 'Bad_Name' }),
    undefined,
  )
  const numeric = s.create({
    ...vs('n', ['x']),
    metadata: { name: 'n', namespace: 'default', labels: { version: 1 } },
  } as unknown as KubeObject)
  assert.ok(!numeric.ok && numeric.status.details?.causes?.[0]?.field === 'metadata.labels.version')
  const spaced = s.create({
    ...vs('n', ['x']),
    metadata: { name: 'n', namespace: 'default', labels: { app: 'a b' } },
  })
  assert.ok(!spaced.ok && spaced.status.code === 422)
  const missing = s.delete({
    group: 'networking.istio.io',
    kind: 'VirtualService',
    namespace: 'default',
    name: 'zz',
  })
  assert.ok(!missing.ok && missing.status.code === 404)
})

test('apply: created, unchanged, configured; keeps labels and fields written by others', () => {
  const s = seeded()
  const svc = (ports: number[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { selector: { app: 'web' }, ports: ports.map((port) => ({ port })) },
  })
  assert.equal(s.apply(svc([80])).ok && s.apply(svc([80])).outcome, 'unchanged')
  const ref = { group: '', kind: 'Service', namespace: 'default', name: 'web' }
  ok(s.patch(ref, { spec: { clusterIP: '127.0.10.1' }, metadata: { labels: { team: 'x' } } }))
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'default' } }
  ok(s.create(cm))
  assert.match(ok(s.apply(cm)).warnings?.[0] ?? '', /^resource configmaps\/made is missing the kubectl/)
  assert.equal(ok(s.apply(cm)).warnings, undefined)
  const r = s.apply(svc([80, 81]))
  assert.equal(r.ok && r.outcome, 'configured')
  const live = s.get(ref)!
  assert.equal((live.spec as { clusterIP: string }).clusterIP, '127.0.10.1')
  assert.deepEqual(live.metadata.labels, { app: 'web', team: 'x' })
  assert.ok(live.metadata.annotations?.[LAST_APPLIED]?.includes('"port":81'))
  // A label removed from the file is removed from the object; one added by others stays.
  const noApp = svc([80, 81])
  noApp.metadata.labels = {}
  ok(s.apply(noApp))
  assert.deepEqual(s.get(ref)!.metadata.labels, { team: 'x' })
  // A replace without the allocated clusterIP keeps it, as the API server does.
  ok(s.replace(svc([80, 81])))
  assert.equal((s.get(ref)!.spec as { clusterIP: string }).clusterIP, '127.0.10.1')
  assert.deepEqual(s.get(ref)!.metadata.labels, { app: 'web' }, 'replace replaces labels')
})

test('status writes keep spec and generation; spec writes keep status', () => {
  const s = seeded()
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'x' }] },
  }
  ok(s.create(pod))
  const ref = { group: '', kind: 'Pod', namespace: 'default', name: 'p' }
  const st = ok(s.updateStatus(ref, { phase: 'Running' })).object
  assert.equal(st.metadata.generation, 1)
  assert.deepEqual(st.status, { phase: 'Running' })
  const up = ok(s.replace({ ...pod, spec: { containers: [{ name: 'app', image: 'y' }] } })).object
  assert.deepEqual(up.status, { phase: 'Running' })
  assert.equal(up.metadata.generation, 2)
})

test('deleting a namespace deletes everything in it; default cannot be deleted', () => {
  const s = seeded()
  ok(s.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'voting' } }))
  ok(s.create(vs('a', ['x'], 'voting')))
  ok(s.create(vs('b', ['x'], 'default')))
  const events: WatchEvent[] = []
  ok(s.watch(undefined, (e) => events.push(e)))
  ok(s.delete({ group: '', kind: 'Namespace', name: 'voting' }))
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.name}`),
    ['DELETED VirtualService a', 'DELETED Namespace voting'],
  )
  assert.equal(ok(s.list({ kind: 'VirtualService' })).items.length, 1)
  const d = s.delete({ group: '', kind: 'Namespace', name: 'default' })
  assert.ok(!d.ok && d.status.code === 403)
})

test('watch replays from a resourceVersion, then streams; too old is 410 Gone', () => {
  const s = seeded({ historyLimit: 5 })
  const start = s.resourceVersion()
  ok(s.create(vs('a', ['x'])))
  ok(s.create(vs('b', ['x'])))
  const seen: string[] = []
  const w = ok(
    s.watch(start, (e) =>
      seen.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`),
    ),
  )
  ok(s.delete({ group: 'networking.istio.io', kind: 'VirtualService', namespace: 'default', name: 'a' }))
  const rv = Number(start)
  assert.deepEqual(seen, [`ADDED a ${rv + 1}`, `ADDED b ${rv + 2}`, `DELETED a ${rv + 3}`])
  w.subscription.close()
  for (let i = 0; i < 6; i++) ok(s.create(vs(`n${i}`, ['x'])))
  const old = s.watch(start, () => {})
  assert.ok(!old.ok && old.status.code === 410)
  assert.ok(s.watch(s.resourceVersion(), () => {}).ok)
})

test('a listener that writes sees events in commit order, as does every other listener', () => {
  const s = seeded()
  const a: string[] = []
  const b: string[] = []
  ok(
    s.watch(undefined, (e) => {
      a.push(e.object.metadata.name)
      if (e.object.metadata.name === 'first') s.create(vs('second', ['x']))
    }),
  )
  ok(s.watch(undefined, (e) => b.push(e.object.metadata.name)))
  ok(s.create(vs('first', ['x'])))
  assert.deepEqual(a, ['first', 'second'])
  assert.deepEqual(b, ['first', 'second'])
})

test('label and field selectors filter lists', () => {
  const s = seeded()
  ok(
    s.create({
      ...vs('a', ['x']),
      metadata: { name: 'a', namespace: 'default', labels: { app: 'web', version: 'v1' } },
    }),
  )
  ok(
    s.create({
      ...vs('b', ['x']),
      metadata: { name: 'b', namespace: 'default', labels: { app: 'web', version: 'v2' } },
    }),
  )
  ok(s.create({ ...vs('c', ['x']), metadata: { name: 'c', namespace: 'default', labels: { app: 'db' } } }))
  const names = (q: Parameters<Store['list']>[0]): string[] => ok(s.list(q)).items.map((o) => o.metadata.name)
  assert.deepEqual(names({ kind: 'VirtualService', labelSelector: 'app=web' }), ['a', 'b'])
  assert.deepEqual(names({ kind: 'VirtualService', labelSelector: 'app=web,version!=v1' }), ['b'])
  assert.deepEqual(names({ kind: 'VirtualService', labelSelector: 'version in (v1, v2)' }), ['a', 'b'])
  assert.deepEqual(names({ kind: 'VirtualService', labelSelector: '!version' }), ['c'])
  assert.deepEqual(names({ kind: 'VirtualService', fieldSelector: 'metadata.name=c' }), ['c'])
  assert.equal(s.list({ labelSelector: 'a in (' }).ok, false)
})

test('persists across reopen, and a torn last record is ignored', async () => {
  const dir = tempDir()
  const s1 = seeded({ stateDir: dir })
  ok(s1.create(vs('a', ['x'])))
  ok(s1.create(vs('b', ['x'])))
  ok(s1.delete({ group: 'networking.istio.io', kind: 'VirtualService', namespace: 'default', name: 'b' }))
  const rv = s1.resourceVersion()
  s1.close()
  const { appendFileSync } = await import('node:fs')
  appendFileSync(join(dir, 'store.log'), '1234abcd {"op":"put","rv":99,"obj":{"apiVer')
  const warnings: string[] = []
  const s2 = seeded({ stateDir: dir, onWarning: (m) => warnings.push(m) })
  assert.equal(s2.resourceVersion(), rv)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /ignored 43 bytes/)
  assert.deepEqual(
    ok(s2.list({ kind: 'VirtualService' })).items.map((o) => o.metadata.name),
    ['a'],
  )
  assert.ok(s2.get({ group: '', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }))
  ok(s2.create(vs('c', ['x'])))
  s2.close()
  const s3 = createStore({ stateDir: dir })
  assert.deepEqual(
    ok(s3.list({ kind: 'VirtualService' })).items.map((o) => o.metadata.name),
    ['a', 'c'],
  )
  s3.close()
})

test('compaction keeps every object and the resourceVersion counter', () => {
  const dir = tempDir()
  const s = seeded({ stateDir: dir })
  for (let i = 0; i < 1100; i++) ok(s.apply(vs('churn', [`h${i}`])))
  ok(s.create(vs('last', ['x'])))
  const rv = s.resourceVersion()
  s.close()
  const again = createStore({ stateDir: dir })
  assert.equal(again.resourceVersion(), rv)
  const churn = again.get({
    group: 'networking.istio.io',
    kind: 'VirtualService',
    namespace: 'default',
    name: 'churn',
  })
  assert.deepEqual((churn!.spec as { hosts: string[] }).hosts, ['h1099'])
  assert.ok(
    again.get({ group: 'networking.istio.io', kind: 'VirtualService', namespace: 'default', name: 'last' }),
  )
  again.close()
})
