/**
 * Tomas Kubica's Istio demo (scenarios.md §2), steps 12–14 with `weir` in place of kubectl: httpbin.org works
 * under ALLOW_ANY, gets 502 under REGISTRY_ONLY (set as the tutorial does, get | sed | replace of ConfigMap
 * istio), and works again with the ServiceEntry. httpbin.org is a local stand-in given to
 * `weir up --host-alias`. Files from `examples/tkubica/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { example, type Mesh, ROOT, startMesh, waitFor } from './mesh.ts'

const T = (f: string): string => example(`tkubica/istio/${f}`)
let mesh: Mesh | undefined
let httpbin: ChildProcess | undefined
let client = ''
let tmp = ''

/** The local stand-in for httpbin.org (the python flavour), on a free port. */
async function startHttpbin(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(ROOT, 'samples/httpbin/main.ts')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', HTTPBIN_FLAVOR: 'python' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString()
  })
  const port = await waitFor('httpbin stand-in', () =>
    Number(/listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1]),
  )
  return { child, port }
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'weir-e2e-tk-'))
  const hb = await startHttpbin()
  httpbin = hb.child
  mesh = await startMesh(
    [
      '--host-alias',
      `httpbin.org=127.0.0.1:${hb.port}`,
      example('tkubica/weir/namespace-default.yaml'),
      T('client.yaml'),
    ],
    1,
  )
  client = await mesh.pod('client')
  assert.ok(client)
})

after(async () => {
  await mesh?.stop()
  httpbin?.kill('SIGTERM')
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

test('steps 12–14: httpbin.org: works, 502 under REGISTRY_ONLY, works with the ServiceEntry', {
  timeout: 120_000,
}, async () => {
  const status = async (): Promise<string> =>
    (await mesh?.exec(client, 'client', 'curl -s -o /dev/null -w "%{http_code}" -m 5 httpbin.org/ip'))
      ?.stdout ?? ''
  const ip = await mesh?.exec(client, 'client', 'curl -s -m 5 httpbin.org/ip')
  assert.match(ip?.stdout ?? '', /"origin": /)
  // kubectl get configmap istio -n istio-system -o yaml | sed 's/mode: ALLOW_ANY/mode: REGISTRY_ONLY/g' | kubectl replace -f -
  const cm = (await mesh?.weir('get', 'configmap', 'istio', '-n', 'istio-system', '-o', 'yaml')) ?? ''
  assert.match(cm, /mode: ALLOW_ANY/)
  const file = join(tmp, 'istio.yaml')
  await writeFile(file, cm.replaceAll('mode: ALLOW_ANY', 'mode: REGISTRY_ONLY'))
  await mesh?.weir('replace', '-n', 'istio-system', '-f', file)
  await waitFor('502 under REGISTRY_ONLY', async () => (await status()) === '502')
  assert.match(
    (await mesh?.weir('create', '-f', T('serviceEntry.yaml'))) ?? '',
    /serviceentry.networking.istio.io\/httpbin-ext created/,
  )
  await waitFor('200 with the ServiceEntry', async () => (await status()) === '200')
})
