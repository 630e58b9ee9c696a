/**
 * @module test/conformance/analyzers — runs istioctl's analyzer test cases (Istio 1.30.3 corpus,
 * `shared/istio-conformance/analyzers/`) against Weir's analyzers, following the corpus README: only the named
 * analyzers run; objects keep no namespace; system namespaces are dropped; the default ingress dummy pod and
 * service are added; results compare as an unordered multiset of (code, resource).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEFAULT_MESH } from '../../src/analyze/context.ts'
import {
  defaultIngressObjects,
  isIgnored,
  meshNetworksResource,
  parseMeshConfig,
} from '../../src/analyze/environment.ts'
import { loadExtraKinds } from '../../src/analyze/extra-kinds.ts'
import { findAnalyzer } from '../../src/analyze/registry.ts'
import { runAnalyzers } from '../../src/analyze/run.ts'
import type { Analyzer } from '../../src/analyze/types.ts'
import { loadPaths } from '../../src/api/load.ts'
import { HAVE_SHARED, shared } from '../support/shared.ts'

interface Expected {
  code: string
  resource: string
}

interface Case {
  id: string
  name: string
  analyzers: string[]
  inputFiles: string[]
  meshConfigFile: string | null
  meshNetworksFile: string | null
  clusters?: unknown
  expected: Expected[]
}

const DIR = shared('istio-conformance/analyzers')
const cases: Case[] = HAVE_SHARED
  ? (JSON.parse(readFileSync(join(DIR, 'expectations.json'), 'utf8')) as Case[])
  : []

async function runCase(c: Case, analyzers: Analyzer[]): Promise<string[]> {
  const files = c.inputFiles.map((f) => join(DIR, f))
  const loaded = await loadPaths(files)
  const mesh = c.meshConfigFile
    ? parseMeshConfig(await readFile(join(DIR, c.meshConfigFile), 'utf8'))
    : DEFAULT_MESH
  // Every kind in the files is loaded, including those Weir does not know (webhooks, CRDs, Nodes …).
  const extras = await loadExtraKinds(files, () => true)
  const networks = c.meshNetworksFile
    ? meshNetworksResource(await readFile(join(DIR, c.meshNetworksFile), 'utf8'), mesh)
    : undefined
  const resources = [
    ...(networks ? [networks] : []),
    ...defaultIngressObjects(mesh, 'istioctl'),
    ...[...loaded.resources, ...extras].filter((r) => !isIgnored(r)),
  ]
  const { messages } = runAnalyzers(resources, { analyzers, mesh })
  return messages
    .filter((m) => m.resource)
    .map((m) => {
      const r = m.resource
      const ns = r?.metadata.namespace
      return `${m.code} ${r?.kind} ${ns ? `${ns}/` : ''}${r?.metadata.name}`
    })
    .sort()
}

let passed = 0
let ran = 0

describe('istioctl analyzer conformance (Istio 1.30.3 corpus)', {
  skip: !HAVE_SHARED && 'shared/ not present',
}, () => {
  for (const c of cases) {
    const missing = c.analyzers.filter((n) => !findAnalyzer(n))
    const skip =
      missing.length > 0
        ? `analyzer ${missing.join(', ')} not implemented`
        : c.clusters
          ? 'multi-cluster'
          : false
    it(`${c.id} ${c.name}`, { skip }, async () => {
      ran++
      const analyzers = c.analyzers.map((n) => findAnalyzer(n)).filter((a): a is Analyzer => a !== undefined)
      const got = await runCase(c, analyzers)
      const want = c.expected.map((e) => `${e.code} ${e.resource}`).sort()
      assert.deepEqual(got, want)
      passed++
    })
  }
  it('reports how many cases pass', () => {
    process.stdout.write(
      `# analyzer conformance: ${passed} of ${ran} run cases pass (${cases.length} in the corpus)\n`,
    )
  })
})
