/** @module runtime/kube — the Kubernetes object shapes the local runtime reads and writes (JSON, as stored). */

/** Object metadata, as the store keeps it. */
export interface Meta {
  name: string
  namespace?: string
  uid?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[]
  creationTimestamp?: string
  resourceVersion?: string
  generation?: number
  [key: string]: unknown
}

/** Any stored object: apiVersion, kind, metadata, and the rest as JSON. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: Meta
  [key: string]: unknown
}

/** A container port (`spec.containers[].ports[]`). */
export interface ContainerPort {
  containerPort: number
  name?: string
  protocol?: string
}

/** An environment variable as a pod spec writes it. */
export interface EnvVar {
  name: string
  value?: string
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean }
    configMapKeyRef?: { name: string; key: string; optional?: boolean }
    fieldRef?: { fieldPath: string }
  }
}

/** A readiness/liveness probe. */
export interface Probe {
  httpGet?: {
    path?: string
    port: number | string
    host?: string
    scheme?: string
    httpHeaders?: { name: string; value: string }[]
  }
  tcpSocket?: { port: number | string; host?: string }
  exec?: { command: string[] }
  grpc?: { port: number; service?: string }
  initialDelaySeconds?: number
  periodSeconds?: number
  timeoutSeconds?: number
  failureThreshold?: number
  successThreshold?: number
}

/** A container of a pod spec. */
export interface Container {
  name: string
  image?: string
  command?: string[]
  args?: string[]
  env?: EnvVar[]
  ports?: ContainerPort[]
  readinessProbe?: Probe
  livenessProbe?: Probe
  workingDir?: string
}

/** A pod spec (the fields the runtime reads). */
export interface PodSpec {
  containers: Container[]
  serviceAccountName?: string
  hostAliases?: { ip: string; hostnames: string[] }[]
  terminationGracePeriodSeconds?: number
  [key: string]: unknown
}

/** One `status.containerStatuses[]` entry. */
export interface ContainerStatus {
  name: string
  image: string
  ready: boolean
  started: boolean
  restartCount: number
  state: Record<string, Record<string, unknown>>
  lastState?: Record<string, Record<string, unknown>>
}

/** A pod's status as Kubernetes writes it. */
export interface PodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'
  podIP?: string
  podIPs?: { ip: string }[]
  hostIP?: string
  startTime?: string
  conditions: { type: string; status: 'True' | 'False'; lastTransitionTime?: string }[]
  containerStatuses: ContainerStatus[]
}

/** A Pod object. */
export interface Pod extends KubeObject {
  kind: 'Pod'
  metadata: Meta & { namespace: string }
  spec: PodSpec
  status?: PodStatus
}

/** The object as a plain record (for reading fields the types do not name). */
export function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** The namespace of an object (`default` when absent). */
export function nsOf(o: { metadata: Meta }): string {
  return o.metadata.namespace ?? 'default'
}

/** True when every `matchLabels` pair is in `labels` (an empty selector matches nothing, as for Services). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false
  const keys = Object.keys(selector)
  if (keys.length === 0) return false
  return keys.every((k) => labels?.[k] === selector[k])
}
