/** samples/catalog.json: every container image of every tutorial manifest resolves to a stand-in that exists. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  absoluteCommand,
  type CatalogEntry,
  commandFor,
  envFor,
  loadCatalog,
  normalizeImage,
  resolveImage,
} from '../../samples/catalog.ts'
import { loadPaths } from '../../src/api/load.ts'
import type { Resource } from '../../src/api/resource.ts'
import { HAVE_SHARED, shared } from '../support/shared.ts'

const catalog = loadCatalog()

interface Found {
  image: string
  args?: string[]
  env: Record<string, string>
  where: string
}

/** Every container (image, args, plain env values) of the Deployments, Pods and other pod templates. */
function containers(resources: Resource[]): Found[] {
  const out: Found[] = []
  for (const r of resources) {
    const spec = r.body.spec as Record<string, unknown> | undefined
    const pod =
      r.kind === 'Pod'
        ? spec
        : ((spec?.template as Record<string, unknown> | undefined)?.spec as Record<string, unknown>)
    if (!pod) continue
    for (const key of ['containers', 'initContainers']) {
      type Container = {
        image?: string
        args?: string[]
        name?: string
        env?: { name: string; value?: string }[]
      }
      for (const c of (pod[key] as Container[] | undefined) ?? []) {
        const env: Record<string, string> = {}
        for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value
        out.push({
          image: String(c.image),
          ...(c.args ? { args: c.args } : {}),
          env,
          where: `${r.origin?.file}:${r.origin?.line} ${r.kind} ${r.metadata.name} container ${c.name}`,
        })
      }
    }
  }
  return out
}

function checkEntry(entry: CatalogEntry, label: string): void {
  assert.ok(entry.command.length > 0, label)
  const script = absoluteCommand(entry.command)[1]
  assert.ok(script && existsSync(script), `${label}: ${script} does not exist`)
  assert.ok(Array.isArray(entry.ports) && Array.isArray(entry.needs), label)
}

describe('sample catalog', () => {
  it('resolves every image of every Deployment and Pod in the scenarios', {
    skip: !HAVE_SHARED,
  }, async () => {
    const loaded = await loadPaths([shared('scenarios')])
    const found = containers(loaded.resources)
    const workloads = loaded.resources.filter((r) => r.kind === 'Deployment' || r.kind === 'Pod')
    assert.ok(workloads.length >= 25, `only ${workloads.length} Deployments/Pods found`)
    assert.ok(found.length >= workloads.length, `only ${found.length} containers found`)
    const missing = found.filter((c) => !resolveImage(catalog, c.image)).map((c) => `${c.image} (${c.where})`)
    assert.deepEqual(missing, [])
    for (const c of found) checkEntry(resolveImage(catalog, c.image)!.entry, c.image)
  })

  it('starts each stand-in program the scenarios use from its catalogue command and manifest env', {
    skip: !HAVE_SHARED,
  }, async () => {
    const loaded = await loadPaths([shared('scenarios')])
    const byScript = new Map<string, { entry: CatalogEntry; c: Found }>()
    for (const c of containers(loaded.resources)) {
      const { entry } = resolveImage(catalog, c.image)!
      if (entry.needs.some((n) => /mariadb-server|redis-server/.test(n))) continue
      byScript.set(entry.command.join(' '), { entry, c })
    }
    const queue = [...byScript.values()]
    const failures: string[] = []
    const worker = async (): Promise<void> => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const { entry, c } = job
        const argv = commandFor(entry, c.args ? { args: c.args } : {})
        const env = envFor(entry, c.env, { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0' })
        const p = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        const ready = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 15_000)
          const onData = (b: Buffer): void => {
            out += b.toString()
            if (/listening on |idle: waiting/.test(out)) {
              clearTimeout(timer)
              resolve(true)
            }
          }
          p.stdout.on('data', onData)
          p.stderr.on('data', onData)
          p.on('exit', () => {
            clearTimeout(timer)
            resolve(false)
          })
        })
        p.kill('SIGKILL')
        if (!ready) failures.push(`${c.image} (${c.where}) did not start:\n${out}`)
      }
    }
    await Promise.all([worker(), worker(), worker()])
    assert.deepEqual(failures, [])
    assert.ok(byScript.size >= 14, `only ${byScript.size} stand-in programs`)
  })

  it('resolves the images the istio.io tasks use inline, and the versions by tag', () => {
    const cases: [string, string | undefined][] = [
      ['docker.io/kennethreitz/httpbin', 'python'],
      ['docker.io/mccutchen/go-httpbin:v2.15.0', 'go'],
      ['tutum/curl', undefined],
      ['dockerqa/curl:ubuntu-trusty', undefined],
      ['docker.io/istio/examples-bookinfo-reviews-v2:1.16.2', undefined],
    ]
    for (const [image, flavor] of cases) {
      const r = resolveImage(catalog, image)
      assert.ok(r, image)
      checkEntry(r.entry, image)
      if (flavor) assert.equal(r.entry.env.HTTPBIN_FLAVOR, flavor)
    }
    assert.equal(
      resolveImage(catalog, 'registry.istio.io/release/examples-bookinfo-reviews-v3:1.20.3')?.entry.env
        .STAR_COLOR,
      'red',
    )
    assert.equal(resolveImage(catalog, 'tkubica/web:2')?.entry.env.WEB_VERSION, '2')
    assert.equal(
      resolveImage(catalog, 'mcr.microsoft.com/aks/samples/voting/analytics:1.1')?.entry.env
        .ANALYTICS_VERSION,
      '1.1',
    )
    assert.equal(resolveImage(catalog, 'docker.io/library/redis:7')?.pattern, 'redis:*')
    assert.equal(resolveImage(catalog, 'mcr.microsoft.com/aks/samples/voting/app:3.0'), undefined)
    assert.ok(catalog.external['httpbin.org'])
  })

  it('normalises image references', () => {
    assert.equal(normalizeImage('redis'), 'redis:latest')
    assert.equal(normalizeImage('docker.io/library/redis:4.0.10'), 'redis:4.0.10')
    assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest')
    assert.equal(normalizeImage('tkubica/web:1@sha256:abc'), 'tkubica/web:1')
  })

  it('builds argv: the stand-in command, then the manifest args (else the entry args)', () => {
    const fortio = resolveImage(catalog, 'docker.io/fortio/fortio:latest_release')!.entry
    assert.deepEqual(commandFor(fortio, {}, 'NODE').slice(2), ['server'])
    assert.equal(commandFor(fortio, {}, 'NODE')[0], 'NODE')
    const storage = resolveImage(catalog, 'mcr.microsoft.com/aks/samples/voting/storage:2.0')!.entry
    assert.deepEqual(commandFor(storage, { args: ['--ignore-db-dir=lost+found'] }).slice(2), [
      '--ignore-db-dir=lost+found',
    ])
    assert.deepEqual(storage.volumes, { '/var/lib/mysql': 'DATADIR' })
    const reviews = resolveImage(
      catalog,
      'registry.istio.io/release/examples-bookinfo-reviews-v2:1.20.3',
    )!.entry
    assert.deepEqual(
      envFor(reviews, { LOG_DIR: '/tmp/logs', STAR_COLOR: 'blue' }, { HOSTNAME: 'reviews-v2-1' }),
      {
        ENABLE_RATINGS: 'true',
        STAR_COLOR: 'blue',
        LOG_DIR: '/tmp/logs',
        HOSTNAME: 'reviews-v2-1',
      },
    )
  })
})
