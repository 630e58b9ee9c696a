/**
 * @module analyze/environment — what istioctl adds around the user's files: ignored system namespaces, mesh
 * config, the default ingress gateway pod and service, node labels, and which Kubernetes built-in kinds are
 * accepted silently even though Weir does not load them.
 */
import { parseAllDocuments } from 'yaml'
import type { Diagnostic } from '../api/diagnostics.ts'
import type { Resource } from '../api/resource.ts'
import { DEFAULT_MESH, type MeshConfigView } from './context.ts'
import { labelsOf, obj, str } from './values.ts'

/** Objects in these namespaces (and the Namespace objects themselves) are dropped before analysis, as istioctl does. */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'local-path-storage',
])

/** True for a resource istioctl leaves out of analysis. */
export function isIgnored(r: Resource): boolean {
  if (r.kind === 'Namespace') return IGNORED_NAMESPACES.has(r.metadata.name)
  return IGNORED_NAMESPACES.has(r.metadata.namespace ?? '')
}

/**
 * Kubernetes built-in kinds accepted without a message: real manifests carry them next to Istio config
 * (RBAC, autoscaling, workloads Weir does not run yet, cluster plumbing), and istioctl analyze ignores what
 * its analyzers do not read. Any other unknown kind (a typo such as `VirtualServce`, or an unknown CRD) is
 * reported as an Error. Keyed `group/Kind` ('' for the core group).
 */
export const ACCEPTED_BUILTIN_KINDS: ReadonlySet<string> = new Set([
  '/Node',
  '/LimitRange',
  '/ResourceQuota',
  '/PersistentVolume',
  '/ReplicationController',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/NetworkPolicy',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'scheduling.k8s.io/PriorityClass',
  'discovery.k8s.io/EndpointSlice',
  'coordination.k8s.io/Lease',
])

/** The accepted built-in kinds that are cluster-scoped (they get no namespace from `-n`). */
export const CLUSTER_SCOPED_BUILTIN_KINDS: ReadonlySet<string> = new Set([
  '/Node',
  '/PersistentVolume',
  'networking.k8s.io/IngressClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'storage.k8s.io/StorageClass',
  'scheduling.k8s.io/PriorityClass',
])

/** For a loader "unknown kind" diagnostic: the `group/Kind` it names, or undefined for other diagnostics. */
export function unknownKindOf(d: Diagnostic): string | undefined {
  if (d.code !== 'WEIR0003') return undefined
  const m = /unknown kind "([^"]*)" in apiVersion "([^"]*)"/.exec(d.message)
  if (!m) return undefined
  const apiVersion = m[2] ?? ''
  const slash = apiVersion.lastIndexOf('/')
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${m[1] ?? ''}`
}

/** Reads a MeshConfig YAML (or a ConfigMap holding one under `mesh`) over Istio's defaults. */
export function parseMeshConfig(text: string): MeshConfigView {
  let value: unknown
  try {
    value = parseAllDocuments(text)[0]?.toJS() as unknown
  } catch {
    return DEFAULT_MESH
  }
  let mesh = obj(value)
  if (typeof obj(mesh.data).mesh === 'string') return parseMeshConfig(str(obj(mesh.data).mesh))
  if (mesh.kind === 'MeshConfig') mesh = obj(mesh.spec)
  return {
    ingressService: str(mesh.ingressService) || DEFAULT_MESH.ingressService,
    ingressControllerMode: str(mesh.ingressControllerMode) || DEFAULT_MESH.ingressControllerMode,
    rootNamespace: str(mesh.rootNamespace) || DEFAULT_MESH.rootNamespace,
    proxyMetadata: labelsOf(obj(mesh.defaultConfig).proxyMetadata),
    raw: mesh,
  }
}

/** MeshNetworks YAML as the singleton `MeshNetworks istio-system/meshnetworks` istioctl analyzes. */
export function meshNetworksResource(text: string, mesh: MeshConfigView): Resource | undefined {
  let value: unknown
  try {
    value = parseAllDocuments(text)[0]?.toJS() as unknown
  } catch {
    return undefined
  }
  return synthetic('MeshNetworks', mesh.rootNamespace, 'meshnetworks', { spec: obj(value) })
}

function synthetic(kind: string, namespace: string, name: string, body: Record<string, unknown>): Resource {
  const metadata = { name, namespace, ...obj(body.metadata) } as Resource['metadata']
  return { apiVersion: 'v1', kind, metadata, body: { apiVersion: 'v1', kind, ...body, metadata } }
}

/**
 * The ingress gateway pod and service istioctl adds before analyzing (unless `ingressControllerMode: OFF`).
 * `istioctl` style has each targetPort equal to its port (the analyzer tests' dummies); `weir` style has the
 * ports of the ingress gateway `weir up` runs, as Istio installs it (80 → 8080, 443 → 8443).
 */
export function defaultIngressObjects(mesh: MeshConfigView, style: 'istioctl' | 'weir'): Resource[] {
  if (mesh.ingressControllerMode === 'OFF') return []
  const ns = mesh.rootNamespace
  const labels = { istio: 'ingressgateway' }
  const ports =
    style === 'istioctl'
      ? [
          { name: 'http2', port: 80, targetPort: 80, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
          { name: 'tcp', port: 31400, targetPort: 31400, protocol: 'TCP' },
          { name: 'tls', port: 15443, targetPort: 15443, protocol: 'TCP' },
        ]
      : [
          { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
          { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
        ]
  const podLabels = style === 'istioctl' ? labels : { ...labels, app: 'istio-ingressgateway' }
  return [
    synthetic('Pod', ns, `${mesh.ingressService}-dummypod`, {
      metadata: { labels: podLabels },
      spec: { containers: [{ name: 'istio-proxy' }] },
    }),
    synthetic('Service', ns, mesh.ingressService, {
      metadata: {
        labels: style === 'istioctl' ? {} : { istio: 'ingressgateway', app: 'istio-ingressgateway' },
      },
      spec: { selector: labels, ports },
    }),
  ]
}
