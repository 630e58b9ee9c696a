/**
 * @module analyze/analyzers/injection-image — `injection.ImageAnalyzer`: pods in injected namespaces whose
 * istio-proxy image is not the one the injector would give them now (typically after an upgrade, IST0158).
 * The image variant (`-distroless`) follows mesh config, ProxyConfig objects and the pod's annotation.
 */
import { parse } from 'yaml'
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { type AnalysisContext, nsOf } from '../context.ts'
import { selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'

/** The proxy image an injector ConfigMap's `values` give: `global.proxy.image`, or `hub/image:tag`. */
function injectorImage(cm: Resource): string {
  try {
    const g = obj(obj(JSON.parse(str(obj(cm.body.data).values)) as unknown).global)
    const image = str(obj(g.proxy).image)
    return image.includes('/') ? image : `${str(g.hub)}/${image}:${str(g.tag)}`
  } catch {
    return ''
  }
}

const imageType = (v: unknown): string => str(obj(obj(v).image).imageType)

/** Istio's effective image type: mesh default, root ProxyConfig, namespace, workload, then the pod annotation. */
function variantOf(ctx: AnalysisContext, pod: Resource): string {
  let variant = imageType(obj(ctx.mesh.raw.defaultConfig))
  const configs = ctx.kind('ProxyConfig')
  const set = (t: string): void => {
    if (t !== '') variant = t
  }
  for (const pc of configs) if (nsOf(pc) === ctx.mesh.rootNamespace) set(imageType(specOf(pc)))
  for (const pc of configs) {
    if (nsOf(pc) !== ctx.mesh.rootNamespace && nsOf(pc) === nsOf(pod) && specOf(pc).selector === undefined) {
      set(imageType(specOf(pc)))
    }
  }
  for (const pc of configs) {
    const sel = specOf(pc).selector
    if (nsOf(pc) === ctx.mesh.rootNamespace || sel === undefined || !fullNameOf(pc).startsWith(nsOf(pod)))
      continue
    if (selects(labelsOf(obj(sel).matchLabels), pod.metadata.labels ?? {})) set(imageType(specOf(pc)))
  }
  const anno = pod.metadata.annotations?.['proxy.istio.io/config']
  if (typeof anno === 'string') {
    try {
      set(imageType(parse(anno) as unknown))
    } catch {
      // An unparsable annotation is the annotation analyzer's business.
    }
  }
  return variant === 'default' ? '' : variant
}

function fullNameOf(r: Resource): string {
  return r.metadata.namespace ? `${r.metadata.namespace}/${r.metadata.name}` : r.metadata.name
}

export const injectionImageAnalyzer: Analyzer = {
  name: 'injection.ImageAnalyzer',
  description: 'Checks the image of auto-injection configured with the running proxies on pods',
  inputs: ['Namespace', 'Pod', 'ConfigMap', 'MeshConfig', 'ProxyConfig'],
  run(ctx, report) {
    const images = new Map<string, string>()
    for (const cm of ctx.kind('ConfigMap')) {
      if (cm.metadata.name.startsWith('istio-sidecar-injector'))
        images.set(cm.metadata.name, injectorImage(cm))
    }
    if (images.size === 0) return
    const injected = new Map<string, string>()
    const namespaces = new Map<string, Resource>()
    for (const ns of ctx.kind('Namespace')) {
      namespaces.set(ns.metadata.name, ns)
      const labels = ns.metadata.labels ?? {}
      const rev = labels['istio.io/rev']
      if (rev !== undefined) injected.set(ns.metadata.name, rev)
      else if (labels['istio-injection'] === 'enabled') injected.set(ns.metadata.name, 'default')
    }
    const mismatched = new Map<string, string[]>()
    for (const pod of ctx.kind('Pod')) {
      const rev = injected.get(nsOf(pod))
      if (rev === undefined || (pod.metadata.annotations?.['sidecar.istio.io/proxyImage'] ?? '') !== '')
        continue
      const cmName =
        rev === '' || rev === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${rev}`
      const expected = images.get(cmName)
      if (expected === undefined) continue
      const variant = variantOf(ctx, pod)
      const spec = specOf(pod)
      for (const c of [...arr(spec.containers), ...arr(spec.initContainers)].map(obj)) {
        if (c.name !== 'istio-proxy') continue
        const image = str(c.image)
        if (image !== expected && image !== `${expected}-${variant}`) {
          mismatched.set(nsOf(pod), [...(mismatched.get(nsOf(pod)) ?? []), pod.metadata.name])
        }
      }
    }
    for (const [ns, pods] of mismatched) {
      const nsObj = namespaces.get(ns)
      if (nsObj) report(nsObj, 'IST0158', [pods.sort()])
    }
  },
}
