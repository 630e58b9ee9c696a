import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HAVE_SHARED, shared } from '../support/shared.ts'
import { cells, file, lines, useControlPlane, weir } from './support.ts'

const env = useControlPlane()

test('the voting tutorial: create namespace, label it, apply, as kubectl prints them', {
  skip: !HAVE_SHARED,
}, async () => {
  assert.deepEqual(await weir(env, ['create', 'namespace', 'voting']), {
    code: 0,
    stdout: 'namespace/voting created\n',
    stderr: '',
  })
  assert.equal(
    (await weir(env, ['label', 'namespace', 'voting', 'istio-injection=enabled'])).stdout,
    'namespace/voting labeled\n',
  )
  const step1 = shared('scenarios/aks-voting-app/kubernetes/step-1-create-voting-app.yaml')
  const r = await weir(env, ['apply', '-f', step1, '--namespace', 'voting'])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(lines(r.stdout), [
    'deployment.apps/voting-storage-1-0 created',
    'service/voting-storage created',
    'deployment.apps/voting-analytics-1-0 created',
    'service/voting-analytics created',
    'deployment.apps/voting-app-1-0 created',
    'service/voting-app created',
  ])
  const again = await weir(env, ['apply', '-f', step1, '-n', 'voting'])
  assert.ok(
    lines(again.stdout).every((l) => l.endsWith(' unchanged')),
    again.stdout,
  )
  const gw = await weir(env, [
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
  const step2 = await weir(env, [
    'apply',
    '-f',
    shared('scenarios/aks-voting-app/istio/step-2-update-and-add-routing-for-all-components.yaml'),
    '-n',
    'voting',
  ])
  assert.equal(lines(step2.stdout)[0], 'virtualservice.networking.istio.io/voting-app configured')
  assert.equal(lines(step2.stdout)[1], 'policy.authentication.istio.io/default created')

  const deploy = await weir(env, ['get', 'deploy', '-n', 'voting'])
  assert.deepEqual(cells(lines(deploy.stdout)[0]!), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'])
  assert.deepEqual(cells(lines(deploy.stdout)[2]!).slice(0, 4), ['voting-app-1-0', '0/3', '0', '0'])
  const svc = await weir(env, ['get', 'svc', 'voting-storage', '-n', 'voting'])
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
  const vsList = await weir(env, ['get', 'virtualservices.networking.istio.io', '-n', 'voting'])
  assert.deepEqual(cells(lines(vsList.stdout)[0]!), ['NAME', 'GATEWAYS', 'HOSTS', 'AGE'])
  assert.ok(
    lines(vsList.stdout).some((l) => /^voting-app\s+\["voting-app-gateway"\]\s+\["\*"\]\s+\d+s$/.test(l)),
  )
  const ns = await weir(env, ['get', 'ns', 'voting', '--show-labels'])
  assert.match(
    lines(ns.stdout)[1]!,
    /^voting\s+Active\s+\d+s\s+istio-injection=enabled,kubernetes.io\/metadata.name=voting$/,
  )

  const del = await weir(env, ['delete', 'namespace', 'voting'])
  assert.deepEqual(del, { code: 0, stdout: 'namespace "voting" deleted\n', stderr: '' })
  const none = await weir(env, ['get', 'deploy', '-n', 'voting'])
  assert.equal(none.stderr, 'No resources found in voting namespace.\n')
})

test('apply: an invalid document is reported with file:line and field, the others are applied, exit 1', async () => {
  const f = file(
    env,
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
  const r = await weir(env, ['apply', '-f', f, '-l', 'app!=other'])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, 'service/web created\n')
  assert.match(
    r.stderr,
    new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4 metadata.name: Invalid value: "Bad_Gateway"`),
  )
  assert.equal((await weir(env, ['get', 'cm', 'other'])).code, 1, 'the -l filter skipped the ConfigMap')
  const dry = await weir(env, ['apply', '-f', f, '-l', 'app=other', '--dry-run=server'])
  assert.equal(dry.stdout, 'configmap/other created (server dry run)\n')
  assert.equal((await weir(env, ['get', 'cm', 'other'])).code, 1, 'a dry run stores nothing')
})

test('apply: the server refuses a document; its diagnostics point at the line in the file; warnings are printed', async () => {
  const f = file(
    env,
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
  const r = await weir(env, ['apply', '-f', f])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, 'destinationrule.networking.istio.io/reviews created\n')
  assert.deepEqual(lines(r.stderr), [
    'Warning: label "old" is deprecated',
    `${f}:20 spec.http[0].route[1].weight: must be >= 0`,
  ])
  assert.equal((await weir(env, ['get', 'vs', 'reviews'])).code, 1, 'the refused object is not stored')
})
