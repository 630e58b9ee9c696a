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
