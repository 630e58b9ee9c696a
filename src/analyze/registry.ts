/** @module analyze/registry — every analyzer Weir runs, under istioctl's names (`weir analyze -L`). */
import { applicationUIDAnalyzer } from './analyzers/application-uid.ts'
import { authorizationPoliciesAnalyzer } from './analyzers/authorization-policies.ts'
import { blockedCIDRsAnalyzer } from './analyzers/blocked-cidrs.ts'
import { caCertificateAnalyzer } from './analyzers/ca-certificates.ts'
import { conditionAnalyzer } from './analyzers/conditions.ts'
import { conflictingGatewayAnalyzer } from './analyzers/conflicting-gateways.ts'
import { conflictingMeshHostsAnalyzer } from './analyzers/conflicting-mesh-hosts.ts'
import { crdVersionAnalyzer } from './analyzers/crd-version.ts'
import { deprecationAnalyzer } from './analyzers/deprecation.ts'
import { destinationHostAnalyzer } from './analyzers/destination-hosts.ts'
import { destinationRuleAnalyzer } from './analyzers/destination-rules.ts'
import { envoyFilterPatchAnalyzer } from './analyzers/envoy-filter-patches.ts'
import { externalControlPlaneAnalyzer } from './analyzers/external-control-plane.ts'
import { gatewayCertificateAnalyzer } from './analyzers/gateway-certificates.ts'
import { gatewaySecretAnalyzer } from './analyzers/gateway-secrets.ts'
import { gatewayAnalyzer } from './analyzers/gateways.ts'
import { imageAutoAnalyzer } from './analyzers/image-auto.ts'
import { ingressGatewayPortAnalyzer } from './analyzers/ingress-gateway-port.ts'
import { injectionAnalyzer } from './analyzers/injection.ts'
import { injectionImageAnalyzer } from './analyzers/injection-image.ts'
import { jwtClaimRouteAnalyzer } from './analyzers/jwt-claim-route.ts'
import { kubeGatewaySelectorAnalyzer } from './analyzers/kube-gateway-selector.ts'
import { meshNetworksAnalyzer } from './analyzers/mesh-networks.ts'
import { multiServiceAnalyzer } from './analyzers/multi-service.ts'
import { portNameAnalyzer } from './analyzers/port-names.ts'
import { kubeSchemaAnalyzers, schemaAnalyzers } from './analyzers/schema.ts'
import { serviceEntryAnalyzer } from './analyzers/service-entry-addresses.ts'
import { sidecarSelectorAnalyzer } from './analyzers/sidecar-selector.ts'
import { subsetPodsAnalyzer } from './analyzers/subset-pods.ts'
import { telemetryDefaultSelectorAnalyzer } from './analyzers/telemetry-default-selector.ts'
import { telemetryLightstepAnalyzer } from './analyzers/telemetry-lightstep.ts'
import { telemetryProviderAnalyzer } from './analyzers/telemetry-provider.ts'
import { telemetrySelectorAnalyzer } from './analyzers/telemetry-selector.ts'
import { webhookAnalyzer } from './analyzers/webhooks.ts'
import type { Analyzer } from './types.ts'

/** The default analyzer set, in istioctl's order where it has one. */
export const ANALYZERS: readonly Analyzer[] = [
  blockedCIDRsAnalyzer,
  authorizationPoliciesAnalyzer,
  conditionAnalyzer,
  meshNetworksAnalyzer,
  multiServiceAnalyzer,
  applicationUIDAnalyzer,
  caCertificateAnalyzer,
  subsetPodsAnalyzer,
  deprecationAnalyzer,
  envoyFilterPatchAnalyzer,
  externalControlPlaneAnalyzer,
  gatewayCertificateAnalyzer,
  gatewaySecretAnalyzer,
  ingressGatewayPortAnalyzer,
  conflictingGatewayAnalyzer,
  injectionAnalyzer,
  imageAutoAnalyzer,
  injectionImageAnalyzer,
  kubeGatewaySelectorAnalyzer,
  crdVersionAnalyzer,
  portNameAnalyzer,
  sidecarSelectorAnalyzer,
  conflictingMeshHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  jwtClaimRouteAnalyzer,
  serviceEntryAnalyzer,
  telemetryProviderAnalyzer,
  telemetrySelectorAnalyzer,
  telemetryDefaultSelectorAnalyzer,
  telemetryLightstepAnalyzer,
  webhookAnalyzer,
  ...schemaAnalyzers,
  ...kubeSchemaAnalyzers,
]

/** The analyzer with this istioctl name, if Weir implements it. */
export function findAnalyzer(name: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.name === name)
}
