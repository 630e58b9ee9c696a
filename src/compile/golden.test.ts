/**
 * @module compile/golden.test — golden files: each `testdata/<case>/` compiles to `expected.json`
 * (+ `diagnostics.json`); `UPDATE_GOLDEN=1` rewrites them. Plus invariants over every case.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { HAVE_SHARED, SHARED } from '../../test/support/shared.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import { canonicalJson } from '../proxyconfig/version.ts'
import { compileProxy } from './compile-proxy.ts'
import { loadCase, resolveNode, snapshotOptions, TESTDATA } from './golden-support.ts'

const UPDATE = process.env.UPDATE_GOLDEN === '1'
const cases = existsSync(TESTDATA)
  ? readdirSync(TESTDATA, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : []

function golden(file: string, actual: string): void {
  if (UPDATE || !existsSync(file)) {
    writeFileSync(file, actual)
    if (!UPDATE) assert.fail(`${file} was missing and has been written; review it and run again`)
    return
  }
  // A string comparison so that a mismatch prints a line diff.
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 rewrites it)`)
}

/** Deterministic shuffle (no randomness in tests): interleave from both ends. */
function shuffle<T>(list: readonly T[]): T[] {
  const out: T[] = []
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    if (hi >= lo) out.push(list[hi--] as T)
    if (lo <= hi) out.push(list[lo++] as T)
  }
  return out
}

/** Repository root: golden files name inputs relative to it, so they do not depend on the checkout's path. */
const REPO = fileURLToPath(new URL('../../', import.meta.url))

function portablePath(file: string): string {
  if (file.startsWith(SHARED)) return `shared${file.slice(SHARED.length)}`
  return file.startsWith(REPO) ? file.slice(REPO.length) : file
}

describe('compile golden files', { skip: !HAVE_SHARED && 'shared/ not present' }, () => {
  for (const name of cases) {
    it(name, async () => {
      const c = await loadCase(name)
      const { config, diagnostics } = compileProxy(c.snapshot, c.node)
      golden(join(c.dir, 'expected.json'), `${canonicalJson(config, 2)}\n`)
      const diags = diagnostics.map((d) =>
        d.source ? { ...d, source: { ...d.source, file: portablePath(d.source.file) } } : d,
      )
      golden(join(c.dir, 'diagnostics.json'), `${canonicalJson(diags, 2)}\n`)

      // Invariants: deterministic, independent of input order, no dangling cluster references.
      assert.equal(compileProxy(c.snapshot, c.node).config.version, config.version, 'compiling twice')
      // Creation order comes from timestamps (as in the live store), so stamp load order first.
      const stamped = stamp(c.resources)
      const nodeSpec = JSON.parse(readFileSync(join(c.dir, 'node.json'), 'utf8'))
      const inOrder = buildSnapshot(stamped, snapshotOptions(c.inputs))
      const again = buildSnapshot(shuffle(stamped), snapshotOptions(c.inputs))
      if (!hasSameNameTwice(c.resources))
        assert.equal(
          compileProxy(again, resolveNode(again, nodeSpec)).config.version,
          compileProxy(inOrder, resolveNode(inOrder, nodeSpec)).config.version,
          'shuffled input gives the same version',
        )
      const missing = new Set(c.inputs.missingClusters ?? [])
      for (const ref of referencedClusters(config)) {
        if (missing.has(ref)) assert.equal(config.clusters[ref], undefined, `${ref} is meant to be missing`)
        else assert.ok(config.clusters[ref], `cluster ${ref} is referenced but not defined`)
      }
    })
  }
})

/** Gives resources without creationTimestamp one that follows their load order. */
function stamp<T extends { metadata: { creationTimestamp?: string } }>(resources: readonly T[]): T[] {
  return resources.map((r, i) =>
    r.metadata.creationTimestamp
      ? r
      : {
          ...r,
          metadata: {
            ...r.metadata,
            creationTimestamp: new Date(Date.UTC(2000, 0, 1) + i * 1000).toISOString(),
          },
        },
  )
}

/** Inputs that replace an object (kubectl apply of a later step) depend on order by design. */
function hasSameNameTwice(
  resources: readonly { kind: string; metadata: { name: string; namespace?: string } }[],
): boolean {
  const seen = new Set<string>()
  for (const r of resources) {
    const k = `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`
    if (seen.has(k)) return true
    seen.add(k)
  }
  return false
}

function referencedClusters(config: ReturnType<typeof compileProxy>['config']): string[] {
  const out = new Set<string>()
  for (const t of Object.values(config.routeTables))
    for (const vh of t.virtualHosts)
      for (const r of vh.routes) {
        if (r.action.kind === 'forward') for (const b of r.action.backends) out.add(b.cluster)
        for (const m of r.policy.mirrors ?? []) out.add(m.cluster)
      }
  for (const l of config.listeners)
    if (l.protocol === 'tcp') {
      out.add(l.defaultCluster)
      for (const r of l.routes) for (const b of r.backends) out.add(b.cluster)
    }
  return [...out].sort()
}
