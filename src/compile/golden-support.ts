/** @module compile/golden-support — loads a golden case (`testdata/<case>/`) for tests: inputs, node, snapshot. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadPaths } from '../api/load.ts'
import type { Resource } from '../api/resource.ts'
import { buildSnapshot, type SnapshotOptions } from '../model/snapshot.ts'
import type { MeshSnapshot } from '../model/types.ts'
import { ingressGatewayNode, type ProxyNode, sidecarNodeFor, syntheticSidecar } from './node.ts'

/** `shared/` beside the repository (as `test/support/shared.ts` finds it; override with WEIR_SHARED). */
const SHARED_DIR: string =
  process.env.WEIR_SHARED ?? fileURLToPath(new URL('../../../shared', import.meta.url))

/** Folder of the golden cases. */
export const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url))

/** `inputs.json` of a case. */
export interface CaseInputs {
  /** Paths under shared/ (`scenarios/…`) or, with `./`, files of the case folder. Later objects replace earlier ones. */
  inputs: string[]
  namespace?: string
  namespaceLabels?: Record<string, Record<string, string>>
  /** Clusters deliberately referenced but absent (503 NC). */
  missingClusters?: string[]
}

/** `node.json`: the gateway, or a sidecar of the first workload in `namespace` whose labels include `labels`. */
export interface CaseNode {
  role: 'gateway' | 'sidecar'
  namespace?: string
  labels?: Record<string, string>
}

/** A loaded case. */
export interface GoldenCase {
  name: string
  dir: string
  inputs: CaseInputs
  resources: Resource[]
  snapshot: MeshSnapshot
  node: ProxyNode
}

function inputPath(dir: string, p: string): string {
  return p.startsWith('./') ? join(dir, p) : join(SHARED_DIR, p)
}

/** Loads the resources of a case (in order). */
export async function loadCaseResources(dir: string, inputs: CaseInputs): Promise<Resource[]> {
  const out: Resource[] = []
  for (const p of inputs.inputs) {
    const r = await loadPaths([inputPath(dir, p)])
    if (r.unreadable)
      throw new Error(`${dir}: cannot load ${p}: ${r.diagnostics.map((d) => d.message).join('; ')}`)
    out.push(...r.resources)
  }
  return out
}

/** Snapshot options of a case. */
export function snapshotOptions(inputs: CaseInputs): SnapshotOptions {
  return {
    ...(inputs.namespace ? { namespace: inputs.namespace } : {}),
    ...(inputs.namespaceLabels ? { namespaceLabels: inputs.namespaceLabels } : {}),
  }
}

/** Resolves `node.json` against the snapshot. */
export function resolveNode(snapshot: MeshSnapshot, n: CaseNode): ProxyNode {
  if (n.role === 'gateway') return ingressGatewayNode()
  const ns = n.namespace ?? 'default'
  const labels = n.labels ?? {}
  const w = snapshot.workloads.find(
    (x) => x.namespace === ns && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  )
  return (w && sidecarNodeFor(snapshot, w.name, ns)) ?? syntheticSidecar(ns, labels)
}

/** Loads one case folder. */
export async function loadCase(name: string): Promise<GoldenCase> {
  const dir = join(TESTDATA, name)
  const inputs = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as CaseInputs
  const resources = await loadCaseResources(dir, inputs)
  const snapshot = buildSnapshot(resources, snapshotOptions(inputs))
  const nodeSpec = JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8')) as CaseNode
  return { name, dir, inputs, resources, snapshot, node: resolveNode(snapshot, nodeSpec) }
}

/** True when a case folder exists. */
export function hasCase(name: string): boolean {
  return existsSync(join(TESTDATA, name, 'inputs.json'))
}
