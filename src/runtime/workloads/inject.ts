/** @module runtime/workloads/inject — sidecar injection as Istio's webhook decides and marks it. */
import type { Container, KubeObject, Pod } from '../kube.ts'

/** The sidecar container's name and image (what `kubectl describe pod` shows). */
export const SIDECAR_NAME = 'istio-proxy'
export const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.30.0'

/** The status annotation Istio's injector writes on every injected pod. */
const STATUS = JSON.stringify({
  initContainers: ['istio-init'],
  containers: [SIDECAR_NAME],
  volumes: [
    'workload-socket',
    'credential-socket',
    'workload-certs',
    'istio-envoy',
    'istio-data',
    'istio-podinfo',
    'istio-token',
    'istiod-ca-cert',
  ],
  imagePullSecrets: null,
  revision: 'default',
})

/** True when Istio would inject a sidecar into a pod created now in `namespace`. */
export function wantsSidecar(pod: Pod, namespace: KubeObject | undefined): boolean {
  const flag =
    pod.metadata.labels?.['sidecar.istio.io/inject'] ?? pod.metadata.annotations?.['sidecar.istio.io/inject']
  if (flag === 'false') return false
  if (pod.spec.containers.some((c) => c.name === SIDECAR_NAME)) return false
  const nsLabels = namespace?.metadata.labels ?? {}
  if (nsLabels['istio-injection'] === 'disabled') return false
  if (nsLabels['istio-injection'] === 'enabled') return true
  if (nsLabels['istio.io/rev'] !== undefined) return true
  return flag === 'true'
}

/** The pod with a sidecar added: the `istio-proxy` container, the status annotation and the tlsMode label. */
export function injectSidecar(pod: Pod): Pod {
  const labels = pod.metadata.labels ?? {}
  const sidecar: Container = {
    name: SIDECAR_NAME,
    image: PROXY_IMAGE,
    args: ['proxy', 'sidecar'],
    ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
  }
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      labels: {
        ...labels,
        'security.istio.io/tlsMode': 'istio',
        'service.istio.io/canonical-name':
          labels['app.kubernetes.io/name'] ?? labels.app ?? pod.metadata.name,
        'service.istio.io/canonical-revision':
          labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest',
      },
      annotations: {
        ...pod.metadata.annotations,
        'sidecar.istio.io/status': STATUS,
        // As Istio's injector: kubectl logs/exec default to the app, not the sidecar.
        ...(pod.spec.containers[0]
          ? { 'kubectl.kubernetes.io/default-container': pod.spec.containers[0].name }
          : {}),
        ...(pod.spec.containers[0]
          ? { 'kubectl.kubernetes.io/default-logs-container': pod.spec.containers[0].name }
          : {}),
      },
    },
    spec: { ...pod.spec, containers: [...pod.spec.containers, sidecar] },
  }
}

/** True when the pod carries Istio's injection mark. */
export function hasSidecar(pod: Pod): boolean {
  return pod.metadata.annotations?.['sidecar.istio.io/status'] !== undefined
}

/** True for a container the runtime runs as an in-process proxy rather than a child process. */
export function isProxyContainer(c: Container): boolean {
  return c.name === SIDECAR_NAME || (c.image ?? '').includes('istio/proxyv2')
}
