/**
 * @module analyze/analyzers/application-uid — `applicationUID.Analyzer`: UID 1337 is the sidecar proxy's;
 * an application running as it bypasses traffic capture (IST0144).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import type { Analyzer, Report } from '../types.ts'
import { arr, obj, str } from '../values.ts'

const PROXY_UID = 1337

/** One message per workload (istioctl points at the resource, so repeats collapse into one). */
function check(r: Resource, podSpec: Record<string, unknown>, report: Report): void {
  const labels = r.metadata.labels ?? {}
  if ('istio' in labels || labels.release === 'istio') return
  if (obj(podSpec.securityContext).runAsUser === PROXY_UID) {
    report(r, 'IST0144', [])
  }
  arr(podSpec.containers).forEach((c) => {
    const name = str(obj(c).name)
    if (name === 'istio-proxy' || name === 'istio-operator') return
    if (obj(obj(c).securityContext).runAsUser === PROXY_UID) {
      report(r, 'IST0144', [])
    }
  })
}

export const applicationUIDAnalyzer: Analyzer = {
  name: 'applicationUID.Analyzer',
  description: 'Checks invalid application UID',
  inputs: ['Pod', 'Deployment'],
  run(ctx, report) {
    for (const pod of ctx.kind('Pod')) check(pod, specOf(pod), report)
    for (const d of ctx.kind('Deployment')) {
      check(d, obj(obj(specOf(d).template).spec), report)
    }
  },
}
