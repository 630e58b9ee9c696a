/**
 * @module analyze/analyzers/conflicting-gateways — `gateway.ConflictingGatewayAnalyzer`: two Gateways that
 * select the same gateway workloads and declare the same host on the same port (and bind) conflict (IST0145).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, num, obj, str, strs } from '../values.ts'
import { fullName } from './routes.ts'

/** host → bind, per gateway, per `selector~port`. */
type HostsBind = Map<string, string>

function parseSelector(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of s.split(',')) {
    const kv = pair.split('=')
    if (kv.length === 2 && kv[0] !== undefined && kv[1] !== undefined) out[kv[0]] = kv[1]
  }
  return out
}

function portOf(server: unknown): string {
  return String(num(obj(obj(server).port).number) ?? 0)
}

export const conflictingGatewayAnalyzer: Analyzer = {
  name: 'gateway.ConflictingGatewayAnalyzer',
  description: "Checks a gateway's selector, port number and hosts",
  inputs: ['Gateway', 'Pod'],
  run(ctx, report) {
    const gateways = ctx.kind('Gateway')
    const map = new Map<string, Map<string, HostsBind>>()
    for (const gw of gateways) {
      const sel = selectorString(labelsOf(specOf(gw).selector))
      for (const server of arr(specOf(gw).servers)) {
        const key = `${sel}~${portOf(server)}`
        const byGw = map.get(key) ?? new Map<string, HostsBind>()
        map.set(key, byGw)
        const hb: HostsBind = new Map()
        for (const h of strs(obj(server).hosts)) hb.set(h, str(obj(server).bind))
        byGw.set(fullName(gw), hb)
      }
    }
    for (const gw of gateways) check(gw)

    function check(gw: Resource): void {
      const name = fullName(gw)
      const selector = labelsOf(specOf(gw).selector)
      const sel = selectorString(selector)
      const hits: [string, Map<string, HostsBind>][] = []
      for (const [key, byGw] of map) {
        const other = key.slice(0, key.lastIndexOf('~'))
        let matched = other === sel
        if (!matched && (other.includes(sel) || sel.includes(other))) {
          const otherSel = parseSelector(other)
          matched = ctx.pods.some(
            (p) => !p.template && selects(selector, p.labels) && selects(otherSel, p.labels),
          )
        }
        if (matched) hits.push([key, byGw])
      }
      if (sel !== '' && hits.length === 0) {
        report(gw, 'IST0101', ['selector', sel], ['spec', 'selector'])
        return
      }
      for (const server of arr(specOf(gw).servers)) {
        const port = portOf(server)
        const hosts = strs(obj(server).hosts)
        const bind = str(obj(server).bind)
        const conflicting: string[] = []
        for (const [key, byGw] of hits) {
          if (key.slice(key.lastIndexOf('~') + 1) !== port) continue
          for (const [otherName, known] of byGw) {
            if (otherName !== name && duplicates(hosts, bind, known)) conflicting.push(otherName)
          }
        }
        if (conflicting.length > 0) {
          report(
            gw,
            'IST0145',
            [conflicting.sort().join(','), sel, port, hosts.join(',')],
            ['spec', 'servers'],
          )
        }
      }
    }
  },
}

/** Istio's `CheckDuplicates`: true when a host is already known with the same bind; otherwise the hosts become known. */
function duplicates(hosts: readonly string[], bind: string, known: HostsBind): boolean {
  const dup = hosts.some((h) => known.has(h) && known.get(h) === bind)
  if (!dup) for (const h of hosts) known.set(h, bind)
  return dup
}
