/** @module cli/kube/describe — `kubectl describe`-like text for an object. */
import { stringify } from 'yaml'
import type { KubeObject } from '../../controlplane/store/types.ts'
import { podContainers, podReady, podStatus } from './columns.ts'

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown, dflt = '<none>'): string =>
  v === undefined || v === null || v === '' ? dflt : typeof v === 'string' ? v : JSON.stringify(v)

/** Lines of `Label:  value`, values aligned; a multi-line value continues under the first. */
function fields(pairs: [string, string | string[]][], indent = ''): string {
  const width = Math.max(...pairs.map(([k]) => k.length + 1)) + 2
  let out = ''
  for (const [k, v] of pairs) {
    const values = Array.isArray(v) ? (v.length === 0 ? ['<none>'] : v) : [v]
    out += `${indent}${`${k}:`.padEnd(width)}${values[0]}\n`
    for (const rest of values.slice(1)) out += `${indent}${' '.repeat(width)}${rest}\n`
  }
  return out
}

function mapLines(m: Record<string, string> | undefined, sep = '='): string[] {
  return Object.entries(m ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}${sep}${String(v).trimEnd()}`)
}

function header(o: KubeObject): [string, string | string[]][] {
  return [
    ['Name', o.metadata.name],
    ...(o.metadata.namespace ? ([['Namespace', o.metadata.namespace]] as [string, string][]) : []),
    ['Labels', mapLines(o.metadata.labels)],
    ['Annotations', mapLines(o.metadata.annotations, ': ')],
  ]
}

function indentYaml(v: unknown, indent: string): string {
  const text = stringify(v, { lineWidth: 0, indentSeq: false }).trimEnd()
  return `${text
    .split('\n')
    .map((l) => indent + l)
    .join('\n')}\n`
}

function describePod(o: KubeObject): string {
  const spec = obj(o.spec)
  const status = obj(o.status)
  let out = fields([
    ['Name', o.metadata.name],
    ['Namespace', o.metadata.namespace ?? 'default'],
    ['Service Account', str(spec.serviceAccountName, 'default')],
    ['Node', str(spec.nodeName)],
    ['Start Time', str(status.startTime ?? o.metadata.creationTimestamp)],
    ['Labels', mapLines(o.metadata.labels)],
    ['Annotations', mapLines(o.metadata.annotations, ': ')],
    ['Status', podStatus(o)],
    ['IP', str(status.podIP, '')],
    ['Ready', podReady(o)],
  ])
  out += 'Containers:\n'
  const statuses = arr(status.containerStatuses).map(obj)
  for (const c of podContainers(o)) {
    const s = statuses.find((x) => x.name === c.name)
    const ports = c.ports.map((p) => `${str(obj(p).containerPort)}/${str(obj(p).protocol, 'TCP')}`)
    const state = s ? Object.keys(obj(s.state))[0] : undefined
    out += `  ${c.name}:\n`
    out += fields(
      [
        ['Image', c.image],
        ['Port', ports.length > 0 ? ports.join(', ') : '<none>'],
        ...(s
          ? ([
              ['State', state ? state[0]!.toUpperCase() + state.slice(1) : 'Unknown'],
              ['Ready', s.ready === true ? 'True' : 'False'],
              ['Restart Count', String(s.restartCount ?? 0)],
            ] as [string, string][])
          : []),
      ],
      '    ',
    )
  }
  const conds = arr(status.conditions).map(obj)
  if (conds.length > 0) {
    out += 'Conditions:\n'
    const width = Math.max(4, ...conds.map((c) => str(c.type, '').length)) + 2
    out += `  ${'Type'.padEnd(width)}Status\n`
    for (const c of conds) out += `  ${str(c.type, '').padEnd(width)}${str(c.status, '')}\n`
  }
  return `${out}Events:  <none>\n`
}

function describeService(o: KubeObject): string {
  const spec = obj(o.spec)
  const ports = arr(spec.ports).map(obj)
  const pairs: [string, string | string[]][] = [
    ...header(o),
    ['Selector', mapLines(spec.selector as Record<string, string>).join(',') || '<none>'],
    ['Type', str(spec.type, 'ClusterIP')],
    ['IP', str(spec.clusterIP)],
  ]
  for (const p of ports) {
    pairs.push(['Port', `${str(p.name, '<unset>')}  ${str(p.port)}/${str(p.protocol, 'TCP')}`])
    pairs.push(['TargetPort', `${str(p.targetPort ?? p.port)}/${str(p.protocol, 'TCP')}`])
  }
  return `${fields(pairs)}Events:  <none>\n`
}

function describeConfigMap(o: KubeObject): string {
  let out = fields(header(o))
  out += '\nData\n====\n'
  for (const [k, v] of Object.entries(obj(o.data))) out += `${k}:\n----\n${str(v, '')}\n`
  return `${out}\nEvents:  <none>\n`
}

function describeDeployment(o: KubeObject): string {
  const spec = obj(o.spec)
  const status = obj(o.status)
  const want = typeof spec.replicas === 'number' ? spec.replicas : 1
  let out = fields([
    ...header(o),
    ['CreationTimestamp', str(o.metadata.creationTimestamp)],
    ['Selector', mapLines(obj(spec.selector).matchLabels as Record<string, string>).join(',') || '<none>'],
    [
      'Replicas',
      `${want} desired | ${str(status.updatedReplicas, '0')} updated | ${str(status.replicas, '0')} total | ${str(status.availableReplicas, '0')} available`,
    ],
  ])
  const tmpl = obj(spec.template)
  out += 'Pod Template:\n'
  out += fields([['Labels', mapLines(obj(tmpl.metadata).labels as Record<string, string>)]], '  ')
  out += '  Containers:\n'
  for (const c of arr(obj(tmpl.spec).containers).map(obj)) {
    out += `   ${str(c.name, '')}:\n`
    const ports = arr(c.ports).map((p) => `${str(obj(p).containerPort)}/${str(obj(p).protocol, 'TCP')}`)
    out += fields(
      [
        ['Image', str(c.image)],
        ['Port', ports.join(', ') || '<none>'],
      ],
      '    ',
    )
  }
  return `${out}Events:  <none>\n`
}

function describeGeneric(o: KubeObject): string {
  let out = fields([...header(o), ['API Version', o.apiVersion], ['Kind', o.kind]])
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = o
  for (const [k, v] of Object.entries(rest)) {
    out += `${k[0]!.toUpperCase()}${k.slice(1)}:\n`
    out += v !== null && typeof v === 'object' ? indentYaml(v, '  ') : `  ${String(v)}\n`
  }
  return `${out}Events:  <none>\n`
}

/** The description of one object. */
export function describeObject(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : ''
  if (group === '' && o.kind === 'Pod') return describePod(o)
  if (group === '' && o.kind === 'Service') return describeService(o)
  if (group === '' && o.kind === 'ConfigMap') return describeConfigMap(o)
  if (group === 'apps' && o.kind === 'Deployment') return describeDeployment(o)
  return describeGeneric(o)
}
