/** @module analyze/registry — every analyzer Weir runs, under istioctl's names (`weir analyze -L`). */
import { caCertificateAnalyzer } from './analyzers/ca-certificates.ts'
import { conflictingGatewayAnalyzer } from './analyzers/conflicting-gateways.ts'
import { conflictingMeshHostsAnalyzer } from './analyzers/conflicting-mesh-hosts.ts'
import { destinationHostAnalyzer } from './analyzers/destination-hosts.ts'
import { destinationRuleAnalyzer } from './analyzers/destination-rules.ts'
import { gatewayAnalyzer } from './analyzers/gateways.ts'
import { ingressGatewayPortAnalyzer } from './analyzers/ingress-gateway-port.ts'
import { injectionAnalyzer } from './analyzers/injection.ts'
import { portNameAnalyzer } from './analyzers/port-names.ts'
import { kubeSchemaAnalyzers, schemaAnalyzers } from './analyzers/schema.ts'
import { serviceEntryAnalyzer } from './analyzers/service-entry-addresses.ts'
import { subsetPodsAnalyzer } from './analyzers/subset-pods.ts'
import type { Analyzer } from './types.ts'

/** The default analyzer set, in istioctl's order where it has one. */
export const ANALYZERS: readonly Analyzer[] = [
  caCertificateAnalyzer,
  subsetPodsAnalyzer,
  ingressGatewayPortAnalyzer,
  conflictingGatewayAnalyzer,
  injectionAnalyzer,
  portNameAnalyzer,
  conflictingMeshHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  serviceEntryAnalyzer,
  ...schemaAnalyzers,
  ...kubeSchemaAnalyzers,
]

/** The analyzer with this istioctl name, if Weir implements it. */
export function findAnalyzer(name: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.name === name)
}
