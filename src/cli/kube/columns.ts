/** @module cli/kube/columns — the columns `kubectl get` prints for each kind (and with `-o wide`). */
import type { KubeObject } from '../../controlplane/store/types.ts'
import { age } from './format.ts'

/** Columns of one kind: headers and a row per object (AGE is added by `get`, after these). */
export interface Columns {
  headers: string[]
  row(o: KubeObject, now: number): string[]
  /** Extra columns for `-o wide`, printed after AGE. */
  wide?: { headers: string[]; row(o: KubeObject): string[] }
  /** False when AGE is not the last standard column (it is, for every kind here). */
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown, dflt = '<none>'): string =>
  v === undefined || v === null || v === '' ? dflt : typeof v === 'string' ? v : JSON.stringify(v)
const num = (v: unknown): number => (typeof v === 'number' ? v : 0)
const spec = (o: KubeObject): Obj => obj(o.spec)
const status = (o: KubeObject): Obj => obj(o.status)
/** A CRD printer column of an array: kubectl prints it as JSON (`["bookinfo-gateway"]`). */
const jsonCol = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v))

/** The containers a pod runs, counting an injected sidecar the spec does not list. */
export function podContainers(o: KubeObject): { name: string; image: string; ports: unknown[] }[] {
  const list = arr(spec(o).containers).map((c) => ({
    name: str(obj(c).name, ''),
    image: str(obj(c).image, ''),
    ports: arr(obj(c).ports),
  }))
  const injected = o.metadata.annotations?.['sidecar.istio.io/status']
  if (injected && !list.some((c) => c.name === 'istio-proxy')) {
    list.push({ name: 'istio-proxy', image: 'weir/proxy', ports: [] })
  }
  return list
}

/** `ready/total` of a pod, from the status the runtime writes. */
export function podReady(o: KubeObject): string {
  const statuses = arr(status(o).containerStatuses).map(obj)
  const total = statuses.length > 0 ? statuses.length : podContainers(o).length
  let ready: number
  if (statuses.length > 0) ready = statuses.filter((s) => s.ready === true).length
  else {
    const cond = arr(status(o).conditions)
      .map(obj)
      .find((c) => c.type === 'Ready')
    ready = cond?.status === 'True' ? total : 0
  }
  return `${ready}/${total}`
}

/** The STATUS column of a pod: a waiting/terminated reason when there is one, else the phase. */
export function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating'
  const st = status(o)
  for (const c of arr(st.containerStatuses).map(obj)) {
    const state = obj(c.state)
    const reason = obj(state.waiting).reason ?? obj(state.terminated).reason
    if (typeof reason === 'string' && reason !== '') return reason
  }
  return str(st.reason, str(st.phase, 'Pending'))
}

function podRestarts(o: KubeObject): string {
  return String(
    arr(status(o).containerStatuses)
      .map(obj)
      .reduce((n, c) => n + num(c.restartCount), 0),
  )
}

function servicePorts(o: KubeObject): string {
  const ports = arr(spec(o).ports).map(obj)
  if (ports.length === 0) return '<none>'
  return ports
    .map((p) => `${num(p.port)}${p.nodePort ? `:${num(p.nodePort)}` : ''}/${str(p.protocol, 'TCP')}`)
    .join(',')
}

function externalIp(o: KubeObject): string {
  const s = spec(o)
  const ingress = arr(obj(status(o).loadBalancer).ingress)
    .map(obj)
    .map((i) => str(i.ip ?? i.hostname, ''))
    .filter((x) => x !== '')
  const ext = arr(s.externalIPs).map((x) => String(x))
  if (s.type === 'LoadBalancer') {
    const all = [...ingress, ...ext]
    return all.length > 0 ? all.join(',') : '<pending>'
  }
  return ext.length > 0 ? ext.join(',') : '<none>'
}

function selectorText(v: unknown): string {
  const entries = Object.entries(obj(v))
  return entries.length === 0 ? '<none>' : entries.map(([k, x]) => `${k}=${String(x)}`).join(',')
}

const ageOnly: Columns = { headers: [], row: () => [] }

/** Columns by kind (`group/Kind`). */
const COLUMNS: Record<string, Columns> = {
  '/Pod': {
    headers: ['READY', 'STATUS', 'RESTARTS'],
    row: (o) => [podReady(o), podStatus(o), podRestarts(o)],
    wide: {
      headers: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
      row: (o) => [str(status(o).podIP), str(spec(o).nodeName), '<none>', '<none>'],
    },
  },
  '/Service': {
    headers: ['TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
    row: (o) => [str(spec(o).type, 'ClusterIP'), str(spec(o).clusterIP), externalIp(o), servicePorts(o)],
    wide: { headers: ['SELECTOR'], row: (o) => [selectorText(spec(o).selector)] },
  },
  'apps/Deployment': {
    headers: ['READY', 'UP-TO-DATE', 'AVAILABLE'],
    row: (o) => {
      const s = status(o)
      const want = typeof spec(o).replicas === 'number' ? num(spec(o).replicas) : 1
      return [
        `${num(s.readyReplicas)}/${want}`,
        String(num(s.updatedReplicas)),
        String(num(s.availableReplicas)),
      ]
    },
    wide: {
      headers: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
      row: (o) => {
        const cs = arr(obj(obj(spec(o).template).spec).containers).map(obj)
        return [
          cs.map((c) => str(c.name)).join(','),
          cs.map((c) => str(c.image)).join(','),
          selectorText(obj(spec(o).selector).matchLabels),
        ]
      },
    },
  },
  '/Namespace': { headers: ['STATUS'], row: (o) => [str(status(o).phase, 'Active')] },
  '/ConfigMap': {
    headers: ['DATA'],
    row: (o) => [String(Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length)],
  },
  '/Secret': {
    headers: ['TYPE', 'DATA'],
    row: (o) => [
      str(o.type, 'Opaque'),
      String(Object.keys(obj(o.data)).length + Object.keys(obj(o.stringData)).length),
    ],
  },
  '/ServiceAccount': { headers: ['SECRETS'], row: (o) => [String(arr(o.secrets).length)] },
  '/Endpoints': {
    headers: ['ENDPOINTS'],
    row: (o) => {
      const eps = arr(o.subsets).flatMap((s) => {
        const ports = arr(obj(s).ports).map((p) => num(obj(p).port))
        return arr(obj(s).addresses).flatMap((a) => ports.map((p) => `${str(obj(a).ip, '')}:${p}`))
      })
      return [
        eps.length === 0
          ? '<none>'
          : eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : ''),
      ]
    },
  },
  '/PersistentVolumeClaim': {
    headers: ['STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS'],
    row: (o) => [
      str(status(o).phase, 'Pending'),
      str(spec(o).volumeName, ''),
      str(obj(status(o).capacity).storage, ''),
      arr(status(o).accessModes).join(','),
      str(spec(o).storageClassName),
    ],
  },
  'networking.istio.io/VirtualService': {
    headers: ['GATEWAYS', 'HOSTS'],
    row: (o) => [jsonCol(spec(o).gateways), jsonCol(spec(o).hosts)],
  },
  'networking.istio.io/DestinationRule': { headers: ['HOST'], row: (o) => [jsonCol(spec(o).host)] },
  'networking.istio.io/ServiceEntry': {
    headers: ['HOSTS', 'LOCATION', 'RESOLUTION'],
    row: (o) => [jsonCol(spec(o).hosts), jsonCol(spec(o).location), jsonCol(spec(o).resolution)],
  },
  'networking.istio.io/WorkloadEntry': { headers: [], row: () => [] },
  'security.istio.io/AuthorizationPolicy': { headers: ['ACTION'], row: (o) => [jsonCol(spec(o).action)] },
  'security.istio.io/PeerAuthentication': {
    headers: ['MODE'],
    row: (o) => [jsonCol(obj(spec(o).mtls).mode)],
  },
}

/** The columns for a kind (NAME and AGE only when kubectl prints nothing else). */
export function columnsFor(group: string, kind: string): Columns {
  return COLUMNS[`${group}/${kind}`] ?? ageOnly
}

/** AGE of an object. */
export function ageOf(o: KubeObject, now: number): string {
  return age(o.metadata.creationTimestamp, now)
}
