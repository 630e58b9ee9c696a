/** Runtime against an in-memory store: pods from Deployments, processes, readiness, VIPs, per-pod DNS, restarts. */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Pod } from '../../src/runtime/kube.ts'
import { planExec } from '../../src/runtime/pod/runner.ts'
import { loadCatalog } from '../../src/runtime/process/catalog.ts'
import { readRecords } from '../../src/runtime/process/records.ts'
import { type Runtime, startRuntime } from '../../src/runtime/runtime.ts'
import { createMemoryStore } from '../../src/runtime/store.ts'
import {
  alive,
  echoDeployment,
  FIXTURE_CATALOG,
  getText,
  run,
  service,
  tempState,
  waitFor,
} from './helpers.ts'

const store = createMemoryStore([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }])
let rt: Runtime
let stateDir: string

const pods = (): Pod[] => store.list('Pod', 'demo') as Pod[]
const ready = (p: Pod): boolean =>
  (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')

before(async () => {
  stateDir = await tempState()
  rt = await startRuntime({
    store,
    stateDir,
    catalog: loadCatalog([FIXTURE_CATALOG]),
    backoff: { initialMs: 100, maxMs: 400 },
    log: () => {},
  })
  await store.put(service('echo', 'demo', 80, 8080))
  await store.put(echoDeployment('echo', 'demo', 2))
})

after(async () => {
  await rt.close()
})

test('a Deployment becomes ready pods named <deployment>-<hash>-<suffix>, each on its own pod IP', async () => {
  const list = await waitFor('2 ready pods', () => {
    const l = pods()
    return l.length === 2 && l.every(ready) && l
  })
  for (const p of list) {
    assert.match(
      p.metadata.name,
      /^echo-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    )
    assert.equal(p.status?.phase, 'Running')
    assert.match(p.status?.podIP ?? '', /^127\.244\./)
    assert.equal(p.status?.containerStatuses.length, 1)
    assert.equal(p.status?.containerStatuses[0]?.ready, true)
    // HOSTNAME is the pod name; the app listens on its pod IP.
    assert.equal(await getText(`http://${p.status?.podIP}:8080/`), `${p.metadata.name} hello`)
  }
  assert.notEqual(list[0]?.status?.podIP, list[1]?.status?.podIP)
  const dep = await waitFor('deployment status', () => {
    const d = store.get('Deployment', 'demo', 'echo')
    return (d?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2 && d
  })
  assert.equal(
    (dep.status as { conditions: { type: string; status: string }[] }).conditions[0]?.status,
    'True',
  )
})

test('the Service gets a VIP written back, forwarding to both replicas', async () => {
  const svc = store.get('Service', 'demo', 'echo')
  const vip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP
  assert.match(vip ?? '', /^127\.96\./)
  const names = new Set<string>()
  await waitFor('both replicas answering through the VIP', async () => {
    const body = await getText(`http://${vip}:80/`)
    if (body) names.add(body.split(' ')[0] as string)
    return names.size === 2
  })
  assert.deepEqual(
    [...names].sort(),
    pods()
      .map((p) => p.metadata.name)
      .sort(),
  )
})

test('inside a pod, service names resolve as cluster DNS answers them', {
  skip: process.platform !== 'linux',
}, async () => {
  const pod = pods()[0] as Pod
  const hosts = readFileSync(`${stateDir}/pods/demo/${pod.metadata.name}/hosts`, 'utf8')
  assert.match(hosts, /echo echo\.demo echo\.demo\.svc echo\.demo\.svc\.cluster\.local/)
  if (rt.sandbox.kind === 'none') return
  const argv = planExec(
    { sandbox: rt.sandbox, hostsFile: `${stateDir}/pods/demo/${pod.metadata.name}/hosts` },
    ['getent', 'hosts', 'echo.demo.svc.cluster.local'],
  )
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 5000 })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /^127\.96\./)
  // And the app inside the pod reaches the service by its short name.
  const body = await getText(
    `http://${pod.status?.podIP}:8080/fetch?url=${encodeURIComponent('http://echo/')}`,
  )
  assert.match(body ?? '', /^echo-/)
})

test('kill -9 of an app restarts it and RESTARTS grows', async () => {
  const pod = pods()[0] as Pod
  const pid = rt.runner('demo', pod.metadata.name)?.status() && readPid(pod)
  assert.ok(pid, 'app pid')
  process.kill(pid, 'SIGKILL')
  const restarted = await waitFor('restartCount 1 and ready again', () => {
    const p = store.get('Pod', 'demo', pod.metadata.name) as Pod | undefined
    const cs = p?.status?.containerStatuses[0]
    return cs && cs.restartCount >= 1 && cs.ready && p
  })
  assert.equal(restarted.status?.containerStatuses[0]?.lastState?.terminated?.exitCode, 137)
})

test('scaling down and changing the template roll the pods', async () => {
  await store.put(echoDeployment('echo', 'demo', 1))
  await waitFor('1 pod', () => pods().length === 1)
  const before = pods()[0]?.metadata.labels?.['pod-template-hash']
  await store.put(echoDeployment('echo', 'demo', 1, { env: [{ name: 'GREETING', value: 'v2' }] }))
  const rolled = await waitFor('rolled pod', () => {
    const l = pods()
    return (
      l.length === 1 && l[0]?.metadata.labels?.['pod-template-hash'] !== before && ready(l[0] as Pod) && l[0]
    )
  })
  assert.equal(await getText(`http://${rolled.status?.podIP}:8080/`), `${rolled.metadata.name} v2`)
})

test('a missing program is a clear error naming the Debian package', async () => {
  await store.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'redis', namespace: 'demo' },
    spec: { containers: [{ name: 'redis', image: 'example/needs-missing:1' }] },
  })
  const p = await waitFor('waiting reason', () => {
    const x = store.get('Pod', 'demo', 'redis') as Pod | undefined
    return x?.status?.containerStatuses[0]?.state.waiting?.message !== undefined ? x : undefined
  })
  assert.match(
    String(p.status?.containerStatuses[0]?.state.waiting?.message),
    /not installed: apt-get install -y weir-no-such-program-xyz/,
  )
  assert.equal(p.status?.phase, 'Pending')
})

test('deleting the Deployment stops its processes', async () => {
  const pid = readPid(pods().find((p) => p.metadata.name.startsWith('echo-')) as Pod)
  assert.ok(pid && alive(pid))
  await store.remove('Deployment', 'demo', 'echo')
  await waitFor('pods gone', () => pods().every((p) => !p.metadata.name.startsWith('echo-')))
  await waitFor('process gone', () => !alive(pid))
})

function readPid(pod: Pod): number | undefined {
  return readRecords(stateDir).find((r) => r.what === `demo/${pod.metadata.name}/echo`)?.pid
}

const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

test('weir logs and weir exec work on a running pod', async () => {
  await store.put(echoDeployment('cli', 'demo', 1))
  await store.put(service('cli', 'demo', 80, 8080))
  const pod = await waitFor('cli pod ready', () =>
    pods().find((p) => p.metadata.name.startsWith('cli-') && ready(p)),
  )
  const weir = (sub: string, ...args: string[]) =>
    run([process.execPath, WEIR, sub, '--state', stateDir, ...args])
  const logs = await weir('logs', pod.metadata.name, '-n', 'demo')
  assert.equal(logs.status, 0, logs.stderr)
  assert.match(logs.stdout, /listening on 127\.244\.\d+\.\d+:8080/)
  const bySelector = await weir('logs', '-l', 'app=cli', '-n', 'demo')
  assert.match(bySelector.stdout, /listening on/)
  // -f keeps printing what the container writes later (a request logs nothing; a restart does).
  const follow = spawn(
    process.execPath,
    [WEIR, 'logs', '-f', '-l', 'app=cli', '-n', 'demo', '--state', stateDir],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  let followed = ''
  follow.stdout.on('data', (c: Buffer) => {
    followed += c.toString()
  })
  try {
    await waitFor('first output', () => followed.includes('listening on'))
    const pid = readPid(pod)
    assert.ok(pid)
    process.kill(pid, 'SIGKILL')
    await waitFor(
      'the restarted container in the followed log',
      () => followed.split('listening on').length >= 3,
    )
  } finally {
    follow.kill('SIGINT')
  }
  const missing = await weir('logs', 'nope', '-n', 'demo')
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /pods "nope" not found/)
  if (rt.sandbox.kind === 'none') return
  const curl = await weir(
    'exec',
    pod.metadata.name,
    '-n',
    'demo',
    '-c',
    'echo',

    '--',
    'curl',
    '-sS',
    '-m',
    '5',
    'cli',
  )
  assert.equal(curl.status, 0, curl.stderr)
  assert.equal(curl.stdout, `${pod.metadata.name} hello`)
  const env = await weir(
    'exec',
    pod.metadata.name,
    '-n',
    'demo',

    '--',
    'sh',
    '-c',
    'echo $HOSTNAME; exit 3',
  )
  assert.equal(env.status, 3)
  assert.equal(env.stdout.trim(), pod.metadata.name)
})
