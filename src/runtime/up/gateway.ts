/**
 * @module runtime/up/gateway — the ingress gateway `weir up` installs, as istioctl's default profile does:
 * Deployment and Service `istio-ingressgateway` in `istio-system`, labels `istio: ingressgateway` and
 * `app: istio-ingressgateway`, Service ports 80 → 8080 and 443 → 8443.
 */
import type { KubeObject } from '../kube.ts'
import { PROXY_IMAGE, SIDECAR_NAME } from '../workloads/inject.ts'

const LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' }

/** The gateway's Deployment, ServiceAccount and Service. */
export function ingressGatewayObjects(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'istio-ingressgateway-service-account', namespace: 'istio-system', labels: LABELS },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: {
            labels: {
              ...LABELS,
              'service.istio.io/canonical-name': 'istio-ingressgateway',
              'sidecar.istio.io/inject': 'false',
            },
            annotations: { 'sidecar.istio.io/inject': 'false' },
          },
          spec: {
            serviceAccountName: 'istio-ingressgateway-service-account',
            containers: [
              {
                name: SIDECAR_NAME,
                image: PROXY_IMAGE,
                args: ['proxy', 'router', '--domain', '$(POD_NAMESPACE).svc.cluster.local'],
                ports: [
                  { containerPort: 15021, name: 'status-port', protocol: 'TCP' },
                  { containerPort: 8080, name: 'http2', protocol: 'TCP' },
                  { containerPort: 8443, name: 'https', protocol: 'TCP' },
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels: LABELS },
      spec: {
        type: 'LoadBalancer',
        selector: LABELS,
        ports: [
          { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
          { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
        ],
      },
    },
  ]
}

/** True for a pod of the ingress gateway (its proxy runs as a gateway, not a sidecar). */
export function isGatewayPod(labels: Record<string, string> | undefined): boolean {
  return labels?.istio === 'ingressgateway' || labels?.istio === 'egressgateway'
}
