/** @module model/workloads — workloads from Pods, WorkloadEntries, or (offline, no Pods) Deployment replicas. */
import { createHash } from 'node:crypto'
import { type Resource, specOf } from '../api/resource.ts'
import { arr, num, obj, str, strMap } from './read.ts'
import type { Workload } from './types.ts'

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

function kubeHash(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest()
  let out = ''
  for (let i = 0; i < length; i++) out += HASH_ALPHABET[(digest[i] ?? 0) % HASH_ALPHABET.length]
  return out
}

function containerPorts(podSpec: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const c of arr(podSpec?.containers)) {
    for (const p of arr(obj(c)?.ports)) {
      const name = str(obj(p)?.name)
      const n = num(obj(p)?.containerPort)
      if (name && n !== undefined) out[name] = n
    }
  }
  return out
}

/** The Deployment a pod belongs to: `reviews-v1-7d9c6b8f5-x2x7k` → `reviews-v1` (or the label `app`). */
export function workloadNameOfPod(pod: string): string {
  const m = /^(.*)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod)
  return m?.[1] ?? pod
}

/** A workload from a Pod object (the local runtime writes them as Kubernetes does). */
export function workloadFromPod(r: Resource, ns: string): Workload {
  const spec = specOf(r)
  const status = obj(r.body.status)
  const labels = strMap(r.metadata.labels)
  const annotations = strMap(r.metadata.annotations)
  const conditions = arr(status?.conditions).map(obj)
  const readyCond = conditions.find((c) => str(c?.type) === 'Ready')
  const phase = str(status?.phase)
  const ready = readyCond ? str(readyCond.status) === 'True' : phase === 'Running'
  const owner = str(annotations['weir.dev/workload']) ?? workloadNameOfPod(r.metadata.name)
  return {
    name: r.metadata.name,
    namespace: ns,
    workload: owner,
    kind: 'Pod',
    labels,
    serviceAccount: str(spec.serviceAccountName) ?? str(spec.serviceAccount) ?? 'default',
    address: str(status?.podIP) ?? '',
    ready,
    sidecar: 'sidecar.istio.io/status' in annotations || labels['security.istio.io/tlsMode'] === 'istio',
    containerPorts: containerPorts(spec),
  }
}

/** A workload from a WorkloadEntry (a VM or any process outside Kubernetes). */
export function workloadFromEntry(r: Resource, ns: string): Workload {
  const spec = specOf(r)
  const labels = strMap(spec.labels)
  const ports: Record<string, number> = {}
  for (const [k, v] of Object.entries(obj(spec.ports) ?? {})) {
    const n = num(v)
    if (n !== undefined) ports[k] = n
  }
  return {
    name: r.metadata.name,
    namespace: ns,
    workload: r.metadata.name,
    kind: 'WorkloadEntry',
    labels,
    serviceAccount: str(spec.serviceAccount) ?? 'default',
    address: str(spec.address) ?? '',
    ready: true,
    sidecar: labels['security.istio.io/tlsMode'] === 'istio',
    containerPorts: ports,
  }
}

/**
 * Workloads standing for the pods of a Deployment (offline: no Pods known). Names follow Kubernetes
 * (`<deployment>-<hash>-<suffix>`), derived deterministically from namespace, name and replica index;
 * addresses are assigned later. A sidecar is assumed when the namespace is labelled
 * `istio-injection=enabled` and the pod template does not opt out.
 */
export function workloadsFromDeployment(r: Resource, ns: string, injected: boolean): Workload[] {
  const spec = specOf(r)
  const replicas = Math.max(0, Math.min(num(spec.replicas) ?? 1, 100))
  const template = obj(spec.template)
  const meta = obj(template?.metadata)
  const podSpec = obj(template?.spec)
  const labels = strMap(meta?.labels)
  const annotations = strMap(meta?.annotations)
  const optOut =
    annotations['sidecar.istio.io/inject'] === 'false' || labels['sidecar.istio.io/inject'] === 'false'
  const sidecar = (injected && !optOut) || annotations['sidecar.istio.io/inject'] === 'true'
  const hash = kubeHash(`${ns}/${r.metadata.name}`, 10)
  const out: Workload[] = []
  for (let i = 0; i < replicas; i++) {
    out.push({
      name: `${r.metadata.name}-${hash}-${kubeHash(`${ns}/${r.metadata.name}/${i}`, 5)}`,
      namespace: ns,
      workload: r.metadata.name,
      kind: 'Deployment',
      labels: sidecar ? { ...labels, 'security.istio.io/tlsMode': 'istio' } : labels,
      serviceAccount: str(podSpec?.serviceAccountName) ?? str(podSpec?.serviceAccount) ?? 'default',
      address: '',
      ready: true,
      sidecar,
      containerPorts: containerPorts(podSpec),
    })
  }
  return out
}

/** Gives address-less workloads synthetic addresses 10.244.x.y, in their (sorted) order. */
export function assignAddresses(workloads: Workload[]): void {
  let i = 0
  for (const w of workloads) {
    if (w.address !== '') continue
    w.address = `10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`
    i++
  }
}
