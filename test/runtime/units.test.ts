/** Pure parts of the runtime: pod names and rollouts, environment, catalog lookup, selectors, addresses. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { KubeObject, Pod } from '../../src/runtime/kube.ts'
import { outboundAddress, parseOutbound } from '../../src/runtime/net/addresses.ts'
import { serviceNames } from '../../src/runtime/net/hosts.ts'
import {
  externalSlot,
  hostsEntriesFor,
  originalDestinationOf,
  podAliasSlot,
} from '../../src/runtime/net/plan.ts'
import { parseSelector } from '../../src/runtime/pod/selector.ts'
import { lookupImage, parseCatalog } from '../../src/runtime/process/catalog.ts'
import { expand, resolveEnv } from '../../src/runtime/process/env.ts'
import { deploymentHash, planDeployment } from '../../src/runtime/workloads/deployments.ts'
import { injectSidecar, wantsSidecar } from '../../src/runtime/workloads/inject.ts'
import { echoDeployment } from './helpers.ts'

const readyPod = (p: Pod): Pod => ({
  ...p,
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
})

test('pods are named <deployment>-<pod-template-hash>-<suffix>; a template change changes the hash', () => {
  const dep = echoDeployment('voting-app-1-0', 'voting', 3)
  const plan = planDeployment(dep, [], new Set())
  assert.equal(plan.create.length, 3)
  for (const p of plan.create) {
    assert.match(
      p.metadata.name,
      new RegExp(`^voting-app-1-0-${plan.hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`),
    )
    assert.equal(p.metadata.labels?.['pod-template-hash'], plan.hash)
    assert.equal(p.metadata.labels?.app, 'voting-app-1-0')
  }
  assert.equal(new Set(plan.create.map((p) => p.metadata.name)).size, 3)
  assert.equal(
    deploymentHash(echoDeployment('voting-app-1-0', 'voting', 5)),
    plan.hash,
    'replicas are not in the hash',
  )
  assert.notEqual(deploymentHash(echoDeployment('voting-app-1-0', 'voting', 3, { args: ['x'] })), plan.hash)
})

test('scale down removes the extra pods; a rollout keeps old pods until new ones are ready', () => {
  const dep = echoDeployment('a', 'ns', 3)
  const pods = planDeployment(dep, [], new Set()).create.map(readyPod)
  assert.equal(planDeployment(echoDeployment('a', 'ns', 1), pods, new Set()).remove.length, 2)
  const v2 = echoDeployment('a', 'ns', 3, { args: ['v2'] })
  const step1 = planDeployment(v2, pods, new Set())
  assert.equal(step1.create.length, 3)
  assert.equal(step1.remove.length, 0, 'old pods stay while no new pod is ready')
  const step2 = planDeployment(
    v2,
    [...pods, ...step1.create.slice(0, 2).map(readyPod), step1.create[2] as Pod],
    new Set(),
  )
  assert.equal(step2.create.length, 0)
  assert.equal(step2.remove.length, 2, 'two new ready pods replace two old ones')
  assert.equal(planDeployment(echoDeployment('a', 'ns', 0), pods, new Set()).remove.length, 3)
})

test('sidecar injection follows the namespace label and the inject annotation', () => {
  const pod = planDeployment(echoDeployment('a', 'voting', 1), [], new Set()).create[0] as Pod
  const ns = (labels: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'voting', labels },
  })
  assert.equal(wantsSidecar(pod, ns({ 'istio-injection': 'enabled' })), true)
  assert.equal(wantsSidecar(pod, ns({})), false)
  const off = { ...pod, metadata: { ...pod.metadata, annotations: { 'sidecar.istio.io/inject': 'false' } } }
  assert.equal(wantsSidecar(off, ns({ 'istio-injection': 'enabled' })), false)
  const injected = injectSidecar(pod)
  assert.deepEqual(
    injected.spec.containers.map((c) => c.name),
    ['echo', 'istio-proxy'],
  )
  assert.equal(injected.metadata.labels?.['security.istio.io/tlsMode'], 'istio')
  assert.ok(injected.metadata.annotations?.['sidecar.istio.io/status'])
})

test('env: values, secretKeyRef, configMapKeyRef, fieldRef and $(VAR) expansion, in order', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { containers: [] },
  } as unknown as Pod
  const objects: Record<string, KubeObject> = {
    'Secret/db': {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { user: Buffer.from('dbuser').toString('base64') },
    },
    'ConfigMap/cfg': {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { mode: 'fast' },
    },
  }
  const sources = { get: (kind: string, _ns: string, name: string) => objects[`${kind}/${name}`] }
  const { env, errors } = resolveEnv(
    pod,
    {
      name: 'c',
      env: [
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'URL', value: 'http://$(NS).svc:$(PORT)/$(MISSING)' },
        { name: 'USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
      ],
    },
    { PORT: '8080' },
    sources,
    '127.244.0.9',
  )
  assert.deepEqual(errors, [])
  assert.equal(env.NS, 'shop')
  assert.equal(env.URL, 'http://shop.svc:8080/$(MISSING)')
  assert.equal(env.USER, 'dbuser')
  assert.equal(env.MODE, 'fast')
  assert.equal(env.IP, '127.244.0.9')
  assert.equal('OPT' in env, false)
  const bad = resolveEnv(
    pod,
    { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] },
    {},
    sources,
    '',
  )
  assert.match(bad.errors[0] ?? '', /secret "gone" not found/)
  assert.equal(expand('$$(A) $(A)', { A: '1' }), '$(A) 1')
})

test('catalog: exact images before tag patterns; docker.io/library prefixes and :latest', () => {
  const c = parseCatalog(
    JSON.stringify({
      'redis:*': { command: ['redis-server'], ports: [6379] },
      'redis:4.0.10': { command: ['exact'] },
      nginx: { command: ['nginx'] },
      'broken:*': { command: [] },
    }),
    'cat.json',
  )
  assert.equal(lookupImage(c, 'redis:4.0.10')?.command[0], 'exact')
  assert.equal(lookupImage(c, 'docker.io/library/redis:7')?.command[0], 'redis-server')
  assert.equal(lookupImage(c, 'nginx:latest')?.command[0], 'nginx')
  assert.equal(lookupImage(c, 'nginx')?.command[0], 'nginx')
  assert.equal(lookupImage(c, 'mysql:5.7'), undefined)
  assert.match(c.errors[0] ?? '', /cat\.json: broken:\*: "command"/)
})

test('label selectors and cluster DNS names', () => {
  const sel = parseSelector('app=voting-app,version in (1.0, 2.0),!canary')
  assert.ok(sel)
  assert.equal(sel({ app: 'voting-app', version: '2.0' }), true)
  assert.equal(sel({ app: 'voting-app', version: '3.0' }), false)
  assert.equal(sel({ app: 'voting-app', version: '1.0', canary: 'x' }), false)
  assert.equal(parseSelector('a=b=c'), undefined)
  assert.deepEqual(serviceNames('voting-storage', 'voting', 'voting'), [
    'voting-storage',
    'voting-storage.voting',
    'voting-storage.voting.svc',
    'voting-storage.voting.svc.cluster.local',
  ])
  assert.equal(serviceNames('x', 'other', 'voting').includes('x'), false)
  assert.equal(outboundAddress(300, 7), '127.101.44.7')
  assert.deepEqual(parseOutbound('127.101.44.7'), { podIndex: 300, slot: 7 })
})

test('external names: direct without a sidecar (or through the VIP forwarder with a port), the pod range with one', () => {
  const aliases = [
    { name: 'httpbin.org', host: '127.0.0.1', port: 9999, address: '127.97.0.1', slot: externalSlot(0) },
    { name: 'db.local', host: '127.0.0.5', address: '127.0.0.5', slot: podAliasSlot(0) },
  ]
  const plain = hostsEntriesFor({ namespace: 'ns', podIndex: 3, sidecar: false, services: [], aliases })
  assert.deepEqual(plain, [
    { address: '127.97.0.1', names: ['httpbin.org'] },
    { address: '127.0.0.5', names: ['db.local'] },
  ])
  const meshed = hostsEntriesFor({ namespace: 'ns', podIndex: 3, sidecar: true, services: [], aliases })
  assert.deepEqual(
    meshed.map((e) => e.address),
    ['127.100.3.201', '127.100.3.240'],
  )
  assert.deepEqual(originalDestinationOf('127.100.3.201', 80, [], aliases), { host: '127.0.0.1', port: 9999 })
  assert.deepEqual(originalDestinationOf('127.100.3.240', 5432, [], aliases), {
    host: '127.0.0.5',
    port: 5432,
  })
})
