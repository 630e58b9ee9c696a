/** @module api/kinds — the kinds Weir knows: group, versions, plural, scope. */

export type KindStatus = 'active' | 'stored' | 'legacy' | 'ignored'

/** One kind Weir loads. */
export interface KindInfo {
  group: string
  kind: string
  versions: readonly string[]
  plural: string
  /** Short names kubectl accepts (`vs`, `dr`, …). */
  short: readonly string[]
  namespaced: boolean
  /** active: Weir acts on it; stored: kept, not acted on yet; legacy: translated; ignored: accepted with a warning. */
  status: KindStatus
}

const net = ['v1alpha3', 'v1beta1', 'v1']
const sec = ['v1beta1', 'v1']

/** Every kind Weir accepts. The order is the order `weir get all` lists them in. */
export const KINDS: readonly KindInfo[] = [
  k('', 'Namespace', ['v1'], 'namespaces', ['ns'], false),
  k('', 'Service', ['v1'], 'services', ['svc']),
  k('', 'Pod', ['v1'], 'pods', ['po']),
  k('', 'ConfigMap', ['v1'], 'configmaps', ['cm']),
  k('', 'Secret', ['v1'], 'secrets', []),
  k('', 'ServiceAccount', ['v1'], 'serviceaccounts', ['sa']),
  k('', 'PersistentVolumeClaim', ['v1'], 'persistentvolumeclaims', ['pvc']),
  k('', 'Endpoints', ['v1'], 'endpoints', ['ep']),
  k('apps', 'Deployment', ['v1', 'v1beta1', 'v1beta2'], 'deployments', ['deploy']),
  k('networking.istio.io', 'Gateway', net, 'gateways', ['gw']),
  k('networking.istio.io', 'VirtualService', net, 'virtualservices', ['vs']),
  k('networking.istio.io', 'DestinationRule', net, 'destinationrules', ['dr']),
  k('networking.istio.io', 'ServiceEntry', net, 'serviceentries', ['se']),
  k('networking.istio.io', 'Sidecar', net, 'sidecars', []),
  k('networking.istio.io', 'WorkloadEntry', net, 'workloadentries', ['we']),
  k('networking.istio.io', 'WorkloadGroup', net, 'workloadgroups', ['wg']),
  k('networking.istio.io', 'EnvoyFilter', ['v1alpha3'], 'envoyfilters', [], true, 'ignored'),
  k('security.istio.io', 'PeerAuthentication', sec, 'peerauthentications', ['pa']),
  k('security.istio.io', 'AuthorizationPolicy', sec, 'authorizationpolicies', ['ap']),
  k('security.istio.io', 'RequestAuthentication', sec, 'requestauthentications', ['ra']),
  k('telemetry.istio.io', 'Telemetry', ['v1alpha1', 'v1'], 'telemetries', ['telemetry'], true, 'stored'),
  k('authentication.istio.io', 'Policy', ['v1alpha1'], 'policies', [], true, 'legacy'),
  k('config.istio.io', 'DestinationPolicy', ['v1alpha2'], 'destinationpolicies', [], true, 'ignored'),
  k(
    'install.istio.io',
    'IstioControlPlane',
    ['v1alpha1', 'v1alpha2'],
    'istiocontrolplanes',
    [],
    true,
    'ignored',
  ),
  k('install.istio.io', 'IstioOperator', ['v1alpha1'], 'istiooperators', ['iop'], true, 'ignored'),
  k('gateway.networking.k8s.io', 'Gateway', ['v1', 'v1beta1'], 'gateways', [], true, 'stored'),
  k('gateway.networking.k8s.io', 'HTTPRoute', ['v1', 'v1beta1'], 'httproutes', [], true, 'stored'),
  k('gateway.networking.k8s.io', 'GatewayClass', ['v1', 'v1beta1'], 'gatewayclasses', [], false, 'stored'),
]

function k(
  group: string,
  kind: string,
  versions: string[],
  plural: string,
  short: string[],
  namespaced = true,
  status: KindStatus = 'active',
): KindInfo {
  return { group, kind, versions, plural, short, namespaced, status }
}

/** Splits `networking.istio.io/v1` into group and version (`v1` → core group ''). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/')
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) }
}

/** The kind for an apiVersion + kind pair, or undefined when Weir does not know it. */
export function lookupKind(apiVersion: string, kind: string): KindInfo | undefined {
  const { group, version } = splitApiVersion(apiVersion)
  return KINDS.find((x) => x.group === group && x.kind === kind && x.versions.includes(version))
}

/** Finds a kind from what a user types on the command line: `vs`, `virtualservice`, `virtualservices.networking.istio.io`. */
export function resolveKindName(name: string): KindInfo | undefined {
  const lower = name.toLowerCase()
  const [head, ...rest] = lower.split('.')
  const group = rest.join('.')
  const candidates = KINDS.filter((x) => group === '' || x.group === group)
  const found = candidates.filter(
    (x) => x.kind.toLowerCase() === head || x.plural === head || x.short.includes(head ?? ''),
  )
  // Unqualified `gateway` means Istio's Gateway, as in istioctl-era tutorials.
  return found.find((x) => x.group === 'networking.istio.io') ?? found[0]
}

/** `apiVersion/kind` strings of every known kind, for error messages. */
export function knownKindList(): string[] {
  return KINDS.map((x) => `${x.group === '' ? '' : `${x.group}/`}${x.kind}`)
}
