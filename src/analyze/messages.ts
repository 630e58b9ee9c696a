/**
 * @module analyze/messages — istioctl's analysis message catalog: code → name, level, Go-format template.
 * Generated from Istio's pkg/config/analysis/msg/messages.yaml (istio/istio 1.30.3), Copyright Istio Authors,
 * Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0). Only names, levels and templates are kept.
 */
import type { Severity } from '../api/diagnostics.ts'

/** One message type: istioctl's name, level and `fmt` template. */
export interface MessageType {
  name: string
  level: Severity
  template: string
}

const t = (name: string, level: Severity, template: string): MessageType => ({ name, level, template })

/** Every message code istioctl knows, by code (`IST0101`). */
export const MESSAGES: Readonly<Record<string, MessageType>> = {
  IST0001: t('InternalError', 'Error', 'Internal error: %v'),
  IST0002: t('Deprecated', 'Warning', 'Deprecated: %s'),
  IST0101: t('ReferencedResourceNotFound', 'Error', 'Referenced %s not found: %q'),
  IST0102: t(
    'NamespaceNotInjected',
    'Info',
    "The namespace is not enabled for Istio injection. Run 'kubectl label namespace %s istio-injection=enabled' to enable it, or 'kubectl label namespace %s istio-injection=disabled' to explicitly mark it as not needing injection.",
  ),
  IST0103: t(
    'PodMissingProxy',
    'Warning',
    'The pod %s is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.',
  ),
  IST0106: t('SchemaValidationError', 'Error', 'Schema validation error: %v'),
  IST0107: t('MisplacedAnnotation', 'Warning', 'Misplaced annotation: %s can only be applied to %s'),
  IST0108: t('UnknownAnnotation', 'Warning', 'Unknown annotation: %s'),
  IST0109: t(
    'ConflictingMeshGatewayVirtualServiceHosts',
    'Error',
    'The VirtualServices %s associated with mesh gateway define the same host %s which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.',
  ),
  IST0110: t(
    'ConflictingSidecarWorkloadSelectors',
    'Error',
    'The Sidecars %v in namespace %q select the same workload pod %q, which can lead to undefined behavior.',
  ),
  IST0111: t(
    'MultipleSidecarsWithoutWorkloadSelectors',
    'Error',
    'The Sidecars %v in namespace %q have no workload selector, which can lead to undefined behavior.',
  ),
  IST0112: t(
    'VirtualServiceDestinationPortSelectorRequired',
    'Error',
    'This VirtualService routes to a service %q that exposes multiple ports %v. Specifying a port in the destination is required to disambiguate.',
  ),
  IST0116: t(
    'DeploymentAssociatedToMultipleServices',
    'Warning',
    'This deployment %s is associated with multiple services using port %d but different protocols: %v',
  ),
  IST0118: t(
    'PortNameIsNotUnderNamingConvention',
    'Info',
    "Port name %s (port: %d, targetPort: %s) doesn't follow the naming convention of Istio port.",
  ),
  IST0123: t(
    'NamespaceMultipleInjectionLabels',
    'Warning',
    'The namespace has more than one type of injection labels %v, which may lead to undefined behavior. Make sure only one injection label exists.',
  ),
  IST0125: t('InvalidAnnotation', 'Warning', 'Invalid annotation %s: %s'),
  IST0126: t('UnknownMeshNetworksServiceRegistry', 'Error', 'Unknown service registry %s in network %s'),
  IST0127: t(
    'NoMatchingWorkloadsFound',
    'Warning',
    'No matching workloads for this resource with the following labels: %s',
  ),
  IST0128: t(
    'NoServerCertificateVerificationDestinationLevel',
    'Warning',
    'DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate server identity for host: %s',
  ),
  IST0129: t(
    'NoServerCertificateVerificationPortLevel',
    'Warning',
    'DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate server identity for host: %s at port %s',
  ),
  IST0130: t('VirtualServiceUnreachableRule', 'Warning', 'VirtualService rule %v not used (%s).'),
  IST0131: t(
    'VirtualServiceIneffectiveMatch',
    'Info',
    'VirtualService rule %v match %v is not used (duplicate/overlapping match in rule %v).',
  ),
  IST0132: t(
    'VirtualServiceHostNotFoundInGateway',
    'Warning',
    'one or more host %v defined in VirtualService %s not found in Gateway %s.',
  ),
  IST0133: t('SchemaWarning', 'Warning', 'Schema validation warning: %v'),
  IST0134: t(
    'ServiceEntryAddressesRequired',
    'Warning',
    'ServiceEntry addresses are required for this protocol.',
  ),
  IST0135: t(
    'DeprecatedAnnotation',
    'Info',
    'Annotation %q has been deprecated%s and may not work in future Istio versions.',
  ),
  IST0136: t(
    'AlphaAnnotation',
    'Info',
    'Annotation %q is part of an alpha-phase feature and may be incompletely supported.',
  ),
  IST0137: t(
    'DeploymentConflictingPorts',
    'Warning',
    'This deployment %s is associated with multiple services %v using targetPort %q but different ports: %v.',
  ),
  IST0138: t(
    'GatewayDuplicateCertificate',
    'Warning',
    'Duplicate certificate in multiple gateways %v may cause 404s if clients re-use HTTP2 connections.',
  ),
  IST0139: t('InvalidWebhook', 'Error', '%v'),
  IST0140: t(
    'IngressRouteRulesNotAffected',
    'Warning',
    'Subset in virtual service %s has no effect on ingress gateway %s requests',
  ),
  IST0141: t('InsufficientPermissions', 'Error', 'Missing required permission to create resource %v (%v)'),
  IST0142: t(
    'UnsupportedKubernetesVersion',
    'Error',
    'The Kubernetes Version %q is lower than the minimum version: %v',
  ),
  IST0143: t(
    'LocalhostListener',
    'Error',
    'Port %v is exposed in a Service but listens on localhost. It will not be exposed to other pods.',
  ),
  IST0144: t('InvalidApplicationUID', 'Warning', 'User ID (UID) 1337 is reserved for the sidecar proxy.'),
  IST0145: t(
    'ConflictingGateways',
    'Error',
    'Conflict with gateways %s (workload selector %s, port %s, hosts %v).',
  ),
  IST0146: t(
    'ImageAutoWithoutInjectionWarning',
    'Warning',
    '%s %s contains `image: auto` but does not match any Istio injection webhook selectors.',
  ),
  IST0147: t(
    'ImageAutoWithoutInjectionError',
    'Error',
    '%s %s contains `image: auto` but does not match any Istio injection webhook selectors.',
  ),
  IST0148: t(
    'NamespaceInjectionEnabledByDefault',
    'Info',
    'is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.',
  ),
  IST0149: t(
    'JwtClaimBasedRoutingWithoutRequestAuthN',
    'Error',
    'The virtual service uses the JWT claim based routing (key: %s) but found no request authentication for the gateway (%s) pod (%s). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.',
  ),
  IST0150: t(
    'ExternalNameServiceTypeInvalidPortName',
    'Warning',
    'Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
  ),
  IST0151: t(
    'EnvoyFilterUsesRelativeOperation',
    'Warning',
    'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
  ),
  IST0152: t(
    'EnvoyFilterUsesReplaceOperationIncorrectly',
    'Error',
    'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.',
  ),
  IST0153: t(
    'EnvoyFilterUsesAddOperationIncorrectly',
    'Error',
    'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
  ),
  IST0154: t(
    'EnvoyFilterUsesRemoveOperationIncorrectly',
    'Error',
    'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
  ),
  IST0155: t(
    'EnvoyFilterUsesRelativeOperationWithProxyVersion',
    'Warning',
    'This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.',
  ),
  IST0156: t(
    'UnsupportedGatewayAPIVersion',
    'Error',
    'The Gateway API CRD version %v is lower than the minimum version: %v',
  ),
  IST0157: t(
    'InvalidTelemetryProvider',
    'Warning',
    'The Telemetry %v in namespace %q with empty providers will be ignored.',
  ),
  IST0158: t(
    'PodsIstioProxyImageMismatchInNamespace',
    'Warning',
    'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: %v). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.',
  ),
  IST0159: t(
    'ConflictingTelemetryWorkloadSelectors',
    'Error',
    'The Telemetries %v in namespace %q select the same workload pod %q, which can lead to undefined behavior.',
  ),
  IST0160: t(
    'MultipleTelemetriesWithoutWorkloadSelectors',
    'Error',
    'The Telemetries %v in namespace %q have no workload selector, which can lead to undefined behavior.',
  ),
  IST0161: t(
    'InvalidGatewayCredential',
    'Error',
    'The credential referenced by the Gateway %s in namespace %s is invalid, which can cause the traffic not to work as expected.',
  ),
  IST0162: t(
    'GatewayPortNotDefinedOnService',
    'Warning',
    'The gateway is listening on a target port (port %d) that is not defined in the Service associated with its workload instances (Pod selector %s). If you need to access the gateway port through the gateway Service, it will not be available.',
  ),
  IST0163: t(
    'InvalidExternalControlPlaneConfig',
    'Warning',
    'The hostname (%s) that was provided for the webhook (%s) to reach the ingress gateway on the external control plane cluster %s. Traffic may not flow properly.',
  ),
  IST0164: t(
    'ExternalControlPlaneAddressIsNotAHostname',
    'Info',
    'The address (%s) that was provided for the webhook (%s) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.',
  ),
  IST0165: t(
    'ReferencedInternalGateway',
    'Warning',
    'Gateway reference in VirtualService %s is to an implementation-generated internal Gateway: %s.',
  ),
  IST0166: t(
    'IneffectiveSelector',
    'Warning',
    'Ineffective selector on Kubernetes Gateway %s. Use the TargetRef field instead.',
  ),
  IST0167: t('IneffectivePolicy', 'Warning', 'The policy has no impact: %s.'),
  IST0168: t(
    'UnknownUpgradeCompatibility',
    'Warning',
    'The configuration %q changed in release %s, but compatibility cannot be automatically detected: %s. Or, install with `--set compatibilityVersion=%s` to retain the old default.',
  ),
  IST0169: t(
    'UpdateIncompatibility',
    'Warning',
    'The configuration %q changed in release %s: %s. Or, install with `--set compatibilityVersion=%s` to retain the old default.',
  ),
  IST0170: t(
    'MultiClusterInconsistentService',
    'Warning',
    'The service %v in namespace %q is inconsistent across clusters %q, which can lead to undefined behaviors. The inconsistent behaviors are: %v.',
  ),
  IST0171: t(
    'NegativeConditionStatus',
    'Warning',
    'A condition with a negative status is present: type=%s, reason=%s, message=%s.',
  ),
  IST0172: t(
    'FutureUnsupportedGatewayAPIVersion',
    'Warning',
    'The Gateway API CRD version %v is lower than the minimum version: %v',
  ),
  IST0173: t(
    'DestinationRuleSubsetNotSelectPods',
    'Error',
    'The Subset %s defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
  ),
  IST0174: t(
    'UnknownDestinationRuleHost',
    'Warning',
    'The host %s defined in the DestinationRule does not match any services in the mesh.',
  ),
  IST0175: t(
    'JwksUriFetchUnrestricted',
    'Warning',
    'BLOCKED_CIDRS_IN_JWKS_URIS is not configured but %d RequestAuthentication resource(s) exist (%s). Consider configuring it to restrict JWKS URI fetches to trusted networks.',
  ),
  IST0176: t(
    'GatewayAPICRDVersionBelowMinimum',
    'Warning',
    'Gateway API CRD %q is at version %q but Istio requires at least %q; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.',
  ),
}
