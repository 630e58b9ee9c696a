/** @module compile/node — who a proxy is: a workload's sidecar or a gateway. */
import type { MeshSnapshot } from '../model/types.ts'

/** The identity a config is compiled for. */
export interface ProxyNode {
  role: 'sidecar' | 'gateway'
  /** Pod name. */
  name: string
  namespace: string
  labels: Record<string, string>
  serviceAccount?: string
  /** Workload (Deployment) name; the pod name when absent. */
  workload?: string
}

/** The ingress gateway of the local runtime (`istio: ingressgateway` in `istio-system`). */
export function ingressGatewayNode(name = 'istio-ingressgateway'): ProxyNode {
  return {
    role: 'gateway',
    name,
    namespace: 'istio-system',
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    serviceAccount: 'istio-ingressgateway-service-account',
    workload: 'istio-ingressgateway',
  }
}

/** The sidecar node of a known workload (pod), or undefined. */
export function sidecarNodeFor(
  snapshot: MeshSnapshot,
  pod: string,
  namespace: string,
): ProxyNode | undefined {
  const w = snapshot.workloads.find((x) => x.name === pod && x.namespace === namespace)
  if (!w) return undefined
  return {
    role: 'sidecar',
    name: w.name,
    namespace: w.namespace,
    labels: { ...w.labels },
    serviceAccount: w.serviceAccount,
    workload: w.workload,
  }
}

/** A sidecar for a client that is not in the snapshot, known only by namespace and labels (offline explain). */
export function syntheticSidecar(namespace: string, labels: Record<string, string>): ProxyNode {
  const app = labels.app ?? 'client'
  return {
    role: 'sidecar',
    name: `${app}-explain`,
    namespace,
    labels,
    serviceAccount: 'default',
    workload: app,
  }
}

/**
 * The node of a proxy id `<pod>.<namespace>` (istioctl's NAME) or `<pod>` with `namespace`: a gateway
 * when the pod is a gateway deployment (label `istio: ingressgateway|egressgateway`, or a pod named
 * `istio-ingressgateway-…`), else its sidecar. Undefined when the pod is unknown.
 */
export function proxyNodeFor(snapshot: MeshSnapshot, id: string, namespace?: string): ProxyNode | undefined {
  let pod = id
  let ns = namespace
  if (ns === undefined) {
    const dot = id.lastIndexOf('.')
    if (dot <= 0) return undefined
    pod = id.slice(0, dot)
    ns = id.slice(dot + 1)
  }
  const node = sidecarNodeFor(snapshot, pod, ns)
  if (!node) return undefined
  const istio = node.labels.istio
  const gateway =
    istio === 'ingressgateway' || istio === 'egressgateway' || pod.startsWith('istio-ingressgateway-')
  return gateway ? { ...node, role: 'gateway' } : node
}

/** Every proxy of the snapshot: the sidecar of each workload that has one, and each gateway pod (sorted by id). */
export function proxyNodes(snapshot: MeshSnapshot): ProxyNode[] {
  const out: ProxyNode[] = []
  for (const w of snapshot.workloads) {
    if (w.kind === 'WorkloadEntry') continue
    const node = proxyNodeFor(snapshot, w.name, w.namespace)
    if (node && (node.role === 'gateway' || w.sidecar)) out.push(node)
  }
  return out.sort((a, b) => {
    const x = `${a.name}.${a.namespace}`
    const y = `${b.name}.${b.namespace}`
    return x < y ? -1 : x > y ? 1 : 0
  })
}
