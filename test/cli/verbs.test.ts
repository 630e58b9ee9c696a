import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Diagnostic } from '../../src/api/diagnostics.ts'
import { type Resource, specOf } from '../../src/api/resource.ts'
import { type ControlPlane, startControlPlane } from '../../src/controlplane/server.ts'
import { HAVE_SHARED, shared } from '../support/shared.ts'

/** A validator standing in for src/api/validate.ts: negative route weights are errors, label `old` warns. */
function validate(r: Resource): Diagnostic[] {
  const out: Diagnostic[] = []
  const http = (specOf(r).http ?? []) as { route?: { weight?: number }[] }[]
  http.forEach((h, i) => {
    h.route?.forEach((d, j) => {
      if ((d.weight ?? 0) < 0) {
        out.push({
          code: 'WEIR0101',
          severity: 'Error',
          message: 'must be >= 0',
          path: `spec.http[${i}].route[${j}].weight`,
        })
      }
    })
  })
  if (r.metadata.labels?.old)
    out.push({ code: 'WEIR0103', severity: 'Warning', message: 'label "old" is deprecated' })
  return out
}

const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))
let cp: ControlPlane
let state: string
let work: string

before(async () => {
  state = mkdtempSync(join(tmpdir(), 'weir-cli-state-'))
  work = mkdtempSync(join(tmpdir(), 'weir-cli-work-'))
  cp = await startControlPlane({ stateDir: state, validate })
})
after(async () => {
  await cp.close()
  rmSync(state, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `weir ARGS` against the test control plane (found through --state), asynchronously. */
function weir(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [WEIR, ...args],
      { env: { ...process.env, WEIR_STATE: state, ...opts.env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(opts.stdin ?? '')
  })
}

function file(name: string, text: string): string {
  const p = join(work, name)
  writeFileSync(p, text)
  return p
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '')
const cells = (line: string): string[] => line.trim().split(/\s{2,}/)

test('the voting tutorial: create namespace, label it, apply, as kubectl prints them', {
  skip: !HAVE_SHARED,
}, async () => {
  assert.deepEqual(await weir(['create', 'namespace', 'voting']), {
    code: 0,
    stdout: 'namespace/voting created\n',
    stderr: '',
  })
  assert.equal(
    (await weir(['label', 'namespace', 'voting', 'istio-injection=enabled'])).stdout,
    'namespace/voting labeled\n',
  )
  const step1 = shared('scenarios/aks-voting-app/kubernetes/step-1-create-voting-app.yaml')
  const r = await weir(['apply', '-f', step1, '--namespace', 'voting'])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(lines(r.stdout), [
    'deployment.apps/voting-storage-1-0 created',
    'service/voting-storage created',
    'deployment.apps/voting-analytics-1-0 created',
    'service/voting-analytics created',
    'deployment.apps/voting-app-1-0 created',
    'service/voting-app created',
  ])
  const again = await weir(['apply', '-f', step1, '-n', 'voting'])
  assert.ok(
    lines(again.stdout).every((l) => l.endsWith(' unchanged')),
    again.stdout,
  )
  const gw = await weir([
    'apply',
    '-f',
    shared('scenarios/aks-voting-app/istio/step-1-create-voting-app-gateway.yaml'),
    '-n',
    'voting',
  ])
  assert.deepEqual(lines(gw.stdout), [
    'virtualservice.networking.istio.io/voting-app created',
    'gateway.networking.istio.io/voting-app-gateway created',
  ])
  const step2 = await weir([
    'apply',
    '-f',
    shared('scenarios/aks-voting-app/istio/step-2-update-and-add-routing-for-all-components.yaml'),
    '-n',
    'voting',
  ])
  assert.equal(lines(step2.stdout)[0], 'virtualservice.networking.istio.io/voting-app configured')
  assert.equal(lines(step2.stdout)[1], 'policy.authentication.istio.io/default created')

  const deploy = await weir(['get', 'deploy', '-n', 'voting'])
  assert.deepEqual(cells(lines(deploy.stdout)[0]!), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'])
  assert.deepEqual(cells(lines(deploy.stdout)[2]!).slice(0, 4), ['voting-app-1-0', '0/3', '0', '0'])
  const svc = await weir(['get', 'svc', 'voting-storage', '-n', 'voting'])
  assert.deepEqual(cells(lines(svc.stdout)[0]!), [
    'NAME',
    'TYPE',
    'CLUSTER-IP',
    'EXTERNAL-IP',
    'PORT(S)',
    'AGE',
  ])
  assert.deepEqual(cells(lines(svc.stdout)[1]!).slice(0, 5), [
    'voting-storage',
    'ClusterIP',
    '<none>',
    '<none>',
    '6379/TCP',
  ])
  const vsList = await weir(['get', 'virtualservices.networking.istio.io', '-n', 'voting'])
  assert.deepEqual(cells(lines(vsList.stdout)[0]!), ['NAME', 'GATEWAYS', 'HOSTS', 'AGE'])
  assert.ok(
    lines(vsList.stdout).some((l) => /^voting-app\s+\["voting-app-gateway"\]\s+\["\*"\]\s+\d+s$/.test(l)),
  )
  const ns = await weir(['get', 'ns', 'voting', '--show-labels'])
  assert.match(
    lines(ns.stdout)[1]!,
    /^voting\s+Active\s+\d+s\s+istio-injection=enabled,kubernetes.io\/metadata.name=voting$/,
  )

  const del = await weir(['delete', 'namespace', 'voting'])
  assert.deepEqual(del, { code: 0, stdout: 'namespace "voting" deleted\n', stderr: '' })
  const none = await weir(['get', 'deploy', '-n', 'voting'])
  assert.equal(none.stderr, 'No resources found in voting namespace.\n')
})

test('delete -f three times: deleted, then NotFound errors and exit 1', async () => {
  const f = file(
    'canary.yaml',
    `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: istio-canary
spec:
  hosts: [myweb-service]
  http:
  - route:
    - destination: {host: myweb-service, subset: v1}
      weight: 90
    - destination: {host: myweb-service, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: istio-canary
spec:
  host: myweb-service
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
  )
  assert.equal((await weir(['apply', '-f', f])).code, 0)
  const dr = await weir(['get', 'dr'])
  assert.deepEqual(cells(lines(dr.stdout)[0]!), ['NAME', 'HOST', 'AGE'])
  assert.deepEqual(cells(lines(dr.stdout)[1]!).slice(0, 2), ['istio-canary', 'myweb-service'])
  assert.deepEqual(await weir(['delete', '-f', f]), {
    code: 0,
    stdout:
      'virtualservice.networking.istio.io "istio-canary" deleted\ndestinationrule.networking.istio.io "istio-canary" deleted\n',
    stderr: '',
  })
  for (let i = 0; i < 2; i++) {
    const r = await weir(['delete', '-f', f])
    assert.equal(r.code, 1)
    assert.deepEqual(lines(r.stderr), [
      `Error from server (NotFound): error when deleting "${f}": virtualservices.networking.istio.io "istio-canary" not found`,
      `Error from server (NotFound): error when deleting "${f}": destinationrules.networking.istio.io "istio-canary" not found`,
    ])
  }
  const byName = await weir(['delete', 'vs', 'x'])
  assert.equal(byName.code, 1)
  assert.equal(
    byName.stderr,
    'Error from server (NotFound): virtualservices.networking.istio.io "x" not found\n',
  )
  assert.deepEqual(await weir(['delete', 'vs', 'x', '--ignore-not-found']), {
    code: 0,
    stdout: '',
    stderr: '',
  })
  assert.deepEqual(await weir(['delete', 'vs', 'x', '--ignore-not-found=true']), {
    code: 0,
    stdout: '',
    stderr: '',
  })
})

test('get | sed | replace -f - switches the mesh to REGISTRY_ONLY; a stale replace is a Conflict', async () => {
  const got = await weir(['get', 'configmap', 'istio', '-n', 'istio-system', '-o', 'yaml'])
  assert.match(got.stdout, /mode: ALLOW_ANY/)
  const edited = got.stdout.replace(/mode: ALLOW_ANY/g, 'mode: REGISTRY_ONLY')
  const r = await weir(['replace', '-n', 'istio-system', '-f', '-'], { stdin: edited })
  assert.deepEqual(r, { code: 0, stdout: 'configmap/istio replaced\n', stderr: '' })
  const mesh = await weir(['get', 'cm', 'istio', '-n', 'istio-system', '-o', 'jsonpath={.data.mesh}'])
  assert.equal(mesh.stdout, 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n')
  const stale = await weir(['replace', '-n', 'istio-system', '-f', '-'], { stdin: edited })
  assert.equal(stale.code, 1)
  assert.match(
    stale.stderr,
    /^Error from server \(Conflict\): error when replacing "-": Operation cannot be fulfilled on configmaps "istio"/,
  )
})

test('pods: READY 2/2 with a sidecar, -o name/jsonpath/json, -l, -A, describe shows istio-proxy', async () => {
  const created = cp.store.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'client-7d9f',
      namespace: 'default',
      labels: { app: 'client' },
      annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' },
    },
    spec: {
      containers: [
        { name: 'client', image: 'tkubica/mybox', ports: [{ containerPort: 8080 }] },
        { name: 'istio-proxy', image: 'weir/proxy:0.1.0' },
      ],
    },
  })
  assert.ok(created.ok)
  cp.store.updateStatus(
    { group: '', kind: 'Pod', namespace: 'default', name: 'client-7d9f' },
    {
      phase: 'Running',
      podIP: '127.0.0.10',
      containerStatuses: [
        { name: 'client', ready: true, restartCount: 1, state: { running: {} } },
        { name: 'istio-proxy', ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
  )
  const pods = await weir(['get', 'pods'])
  assert.deepEqual(cells(lines(pods.stdout)[0]!), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'])
  assert.deepEqual(cells(lines(pods.stdout)[1]!).slice(0, 4), ['client-7d9f', '2/2', 'Running', '1'])
  const wide = await weir(['get', 'po', '-o', 'wide'])
  assert.ok(cells(lines(wide.stdout)[1]!).includes('127.0.0.10'))
  const all = await weir(['get', 'pods', '-A'])
  assert.deepEqual(cells(lines(all.stdout)[0]!).slice(0, 2), ['NAMESPACE', 'NAME'])
  assert.equal(
    (await weir(['get', 'pods', '-l', 'app=client', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout,
    'client-7d9f',
  )
  assert.equal((await weir(['get', 'pods', '-l', 'app=nothing', '-o', 'name'])).stdout, '')
  assert.equal((await weir(['get', 'pod', 'client-7d9f', '-o', 'name'])).stdout, 'pod/client-7d9f\n')
  const json = JSON.parse((await weir(['get', 'pod/client-7d9f', '-o', 'json'])).stdout) as { kind: string }
  assert.equal(json.kind, 'Pod')
  const d = await weir(['describe', 'pod', 'client-7d9f'])
  assert.equal(d.code, 0)
  assert.match(d.stdout, /^Name:\s+client-7d9f$/m)
  assert.match(d.stdout, /^ {2}client:\n {4}Image:\s+tkubica\/mybox$/m)
  assert.match(d.stdout, /^ {2}istio-proxy:\n {4}Image:\s+weir\/proxy:0.1.0$/m)
  const missing = await weir(['get', 'pod', 'nope'])
  assert.equal(missing.code, 1)
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n')
})

test('apply: an invalid document is reported with file:line and field, the others are applied, exit 1', async () => {
  const f = file(
    'mixed.yaml',
    `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: Bad_Gateway
spec:
  selector: {istio: ingressgateway}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  ports: [{port: 80, name: http}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  labels: {app: other}
`,
  )
  const r = await weir(['apply', '-f', f, '-l', 'app!=other'])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, 'service/web created\n')
  assert.match(
    r.stderr,
    new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4 metadata.name: Invalid value: "Bad_Gateway"`),
  )
  assert.equal((await weir(['get', 'cm', 'other'])).code, 1, 'the -l filter skipped the ConfigMap')
  const dry = await weir(['apply', '-f', f, '-l', 'app=other', '--dry-run=server'])
  assert.equal(dry.stdout, 'configmap/other created (server dry run)\n')
  assert.equal((await weir(['get', 'cm', 'other'])).code, 1, 'a dry run stores nothing')
})

test('apply: the server refuses a document; its diagnostics point at the line in the file; warnings are printed', async () => {
  const f = file(
    'weights.yaml',
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  labels: {old: "yes"}
spec:
  host: reviews
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews, subset: v2}
      weight: -50
`,
  )
  const r = await weir(['apply', '-f', f])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, 'destinationrule.networking.istio.io/reviews created\n')
  assert.deepEqual(lines(r.stderr), [
    'Warning: label "old" is deprecated',
    `${f}:20 spec.http[0].route[1].weight: must be >= 0`,
  ])
  assert.equal((await weir(['get', 'vs', 'reviews'])).code, 1, 'the refused object is not stored')
})

test('create -f: AlreadyExists the second time; label --overwrite; usage and connection errors', async () => {
  const f = file(
    'se.yaml',
    'apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n  name: httpbin-ext\nspec:\n  hosts: [httpbin.org]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n',
  )
  assert.equal(
    (await weir(['create', '-f', f])).stdout,
    'serviceentry.networking.istio.io/httpbin-ext created\n',
  )
  const dup = await weir(['create', '-f', f])
  assert.equal(dup.code, 1)
  assert.equal(
    dup.stderr,
    `Error from server (AlreadyExists): error when creating "${f}": serviceentries.networking.istio.io "httpbin-ext" already exists\n`,
  )
  assert.equal(
    (await weir(['label', 'se', 'httpbin-ext', 'team=a'])).stdout,
    'serviceentry.networking.istio.io/httpbin-ext labeled\n',
  )
  const clash = await weir(['label', 'se', 'httpbin-ext', 'team=b'])
  assert.equal(clash.code, 1)
  assert.equal(clash.stderr, "error: 'team' already has a value (a), and --overwrite is false\n")
  assert.equal((await weir(['label', 'se', 'httpbin-ext', 'team=b', '--overwrite'])).code, 0)
  assert.equal(
    (await weir(['get', 'se', 'httpbin-ext', '-o', 'jsonpath={.metadata.labels.team}'])).stdout,
    'b',
  )

  assert.equal((await weir(['get'])).code, 64)
  assert.equal((await weir(['get', 'pods', '-o', 'bogus'])).code, 64)
  const unknown = await weir(['get', 'frobs'])
  assert.deepEqual(unknown, {
    code: 1,
    stdout: '',
    stderr: 'error: the server doesn\'t have a resource type "frobs"\n',
  })
  const nowhere = await weir(['get', 'pods'], { env: { WEIR_STATE: join(work, 'no-such-state') } })
  assert.equal(nowhere.code, 1)
  assert.match(nowhere.stderr, /no control plane found/)
  const noAuth = await weir(['get', 'pods', '--server', cp.url, '--token', 'wrong'])
  assert.equal(noAuth.code, 1)
  assert.match(noAuth.stderr, /^Error from server \(Unauthorized\)/)
})

test('get -w prints the table, then a row for each change', async () => {
  const child = spawn(process.execPath, [WEIR, 'get', 'gw', '-w'], {
    env: { ...process.env, WEIR_STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const waitFor = (re: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got ${out}`)), 15_000)
      const check = (): void => {
        if (re.test(out)) {
          clearTimeout(timer)
          child.stdout.off('data', onData)
          resolve()
        }
      }
      const onData = (c: Buffer): void => {
        out += c.toString()
        check()
      }
      child.stdout.on('data', onData)
      check()
    })
  try {
    cp.store.create({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'first', namespace: 'default' },
      spec: { selector: { istio: 'ingressgateway' } },
    })
    await waitFor(/^NAME\s+AGE\nfirst\s+\d+s\n/)
    cp.store.create({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'second', namespace: 'default' },
      spec: { selector: { istio: 'ingressgateway' } },
    })
    await waitFor(/\nsecond\s+\d+s\n/)
  } finally {
    child.kill()
  }
})
