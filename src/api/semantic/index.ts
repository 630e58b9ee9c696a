/** @module api/semantic — Istio's own (webhook) validation for the kinds Weir acts on. */
import { splitApiVersion } from '../kinds.ts'
import type { Resource } from '../resource.ts'
import type { Finding } from '../validate.ts'
import { checkLabels, createFindings, type Obj, obj } from './common.ts'
import { checkCoreKind } from './core.ts'
import { checkDestinationRule } from './destinationrule.ts'
import { checkGateway } from './gateway.ts'
import { checkMetadata } from './metadata.ts'
import { checkAuthorizationPolicy, checkLegacyPolicy } from './security.ts'
import { checkServiceEntry, checkSidecar } from './serviceentry.ts'
import { checkVirtualService } from './virtualservice.ts'

const NETWORKING: Record<string, (f: ReturnType<typeof createFindings>, spec: Obj) => void> = {
  VirtualService: checkVirtualService,
  DestinationRule: checkDestinationRule,
  Gateway: checkGateway,
  ServiceEntry: checkServiceEntry,
  Sidecar: checkSidecar,
}

/** Every semantic problem of one resource (errors WEIR0102, deprecation warnings WEIR0103). */
export function semanticFindings(r: Resource): Finding[] {
  const f = createFindings()
  const { group } = splitApiVersion(r.apiVersion)
  const spec = obj(r.body.spec) ?? {}
  checkMetadata(f, r)
  if (group === 'networking.istio.io') NETWORKING[r.kind]?.(f, spec)
  else if (group === 'security.istio.io' && r.kind === 'AuthorizationPolicy')
    checkAuthorizationPolicy(f, spec)
  else if (group === 'security.istio.io') {
    checkLabels(f, ['spec', 'selector', 'matchLabels'], obj(spec.selector)?.matchLabels)
  } else if (group === 'authentication.istio.io' && r.kind === 'Policy') checkLegacyPolicy(f, spec)
  else if (group === '' || group === 'apps') checkCoreKind(f, r)
  return f.list
}
