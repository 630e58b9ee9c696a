import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { cells, lines, useControlPlane, WEIR, weir } from './support.ts'

const env = useControlPlane()

test('pods: READY 2/2 with a sidecar, -o name/jsonpath/json, -l, -A, describe shows istio-proxy', async () => {
  const created = env.cp.store.create({
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
  env.cp.store.updateStatus(
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
  const pods = await weir(env, ['get', 'pods'])
  assert.deepEqual(cells(lines(pods.stdout)[0]!), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'])
  assert.deepEqual(cells(lines(pods.stdout)[1]!).slice(0, 4), ['client-7d9f', '2/2', 'Running', '1'])
  const bare = await weir(env, ['get', 'pods', '--no-headers'])
  assert.equal(lines(bare.stdout).length, 1)
  assert.match(bare.stdout, /^client-7d9f\s+2\/2\s+Running/)
  const wide = await weir(env, ['get', 'po', '-o', 'wide'])
  assert.ok(cells(lines(wide.stdout)[1]!).includes('127.0.0.10'))
  const all = await weir(env, ['get', 'pods', '-A'])
  assert.deepEqual(cells(lines(all.stdout)[0]!).slice(0, 2), ['NAMESPACE', 'NAME'])
  assert.equal(
    (await weir(env, ['get', 'pods', '-l', 'app=client', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout,
    'client-7d9f',
  )
  assert.equal((await weir(env, ['get', 'pods', '-l', 'app=nothing', '-o', 'name'])).stdout, '')
  assert.equal((await weir(env, ['get', 'pod', 'client-7d9f', '-o', 'name'])).stdout, 'pod/client-7d9f\n')
  const json = JSON.parse((await weir(env, ['get', 'pod/client-7d9f', '-o', 'json'])).stdout) as {
    kind: string
  }
  assert.equal(json.kind, 'Pod')
  const d = await weir(env, ['describe', 'pod', 'client-7d9f'])
  assert.equal(d.code, 0)
  assert.match(d.stdout, /^Name:\s+client-7d9f$/m)
  assert.match(d.stdout, /^ {2}client:\n {4}Image:\s+tkubica\/mybox$/m)
  assert.match(d.stdout, /^ {2}istio-proxy:\n {4}Image:\s+weir\/proxy:0.1.0$/m)
  const missing = await weir(env, ['get', 'pod', 'nope'])
  assert.equal(missing.code, 1)
  assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n')
})

test('get -w prints the table, then a row for each change', async () => {
  const child = spawn(process.execPath, [WEIR, 'get', 'gw', '-w'], {
    env: { ...process.env, WEIR_STATE: env.state },
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
    env.cp.store.create({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'first', namespace: 'default' },
      spec: { selector: { istio: 'ingressgateway' } },
    })
    await waitFor(/^NAME\s+AGE\nfirst\s+\d+s\n/)
    env.cp.store.create({
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
