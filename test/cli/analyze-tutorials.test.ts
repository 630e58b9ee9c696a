/**
 * @module test/cli/analyze-tutorials — `weir analyze` as a user runs it (a child process) on every tutorial of
 * `shared/scenarios/`, step by step: a working tutorial gives no Error (and only the warnings Istio gives too).
 */
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { HAVE_SHARED, shared } from '../support/shared.ts'
import { lines, weir } from './analyze-run.ts'

/** `IST0101 VirtualService name.ns` for each message line of a level, for order-free comparison. */
function keys(out: string, level: 'Error' | 'Warning' | 'Info'): string[] {
  return lines(out, level)
    .map((l) => {
      const m = /^\w+ \[(\w+)\] \((\S+) (\S+)/.exec(l)
      return m ? `${m[1]} ${m[2]} ${m[3]}` : l
    })
    .sort()
}

// ---------------------------------------------------------------------------------------------------------
// The tutorials, in the states their steps leave the cluster in (later files replace earlier objects).

interface State {
  name: string
  files: string[]
  args?: string[]
  /** Errors istioctl would also report in this state (code, kind, name.ns); none for a working tutorial. */
  errors?: string[]
  /** Warnings and infos istioctl would also report. */
  warnings?: string[]
}

const S = (p: string): string => shared(`scenarios/${p}`)
const aks = (...f: string[]): string[] => f.map((x) => S(`aks-voting-app/${x}`))
const tk = (...f: string[]): string[] => f.map((x) => S(`tkubica-istio/istio/${x}`))
const flask = (...f: string[]): string[] => f.map((x) => S(`arunksingh16-flask/${x}`))
const bi = (...f: string[]): string[] => f.map((x) => S(`istio-samples/samples/bookinfo/${x}`))
const samples = (...f: string[]): string[] => f.map((x) => S(`istio-samples/samples/${x}`))

const AKS1 = aks('kubernetes/step-1-create-voting-app.yaml', 'istio/step-1-create-voting-app-gateway.yaml')
const AKS2 = [...AKS1, ...aks('kubernetes/step-2-update-voting-analytics-to-1.1.yaml')]
const TK = tk('client.yaml', 'retryBackend.yaml', 'canary.yaml')
const BOOKINFO = bi('platform/kube/bookinfo.yaml', 'networking/bookinfo-gateway.yaml')
const BOOKINFO_DR = [
  ...BOOKINFO,
  ...bi('networking/destination-rule-all.yaml', 'networking/virtual-service-all-v1.yaml'),
]
// destination-rule-all.yaml defines ratings subsets v2-mysql and v2-mysql-vm; bookinfo.yaml deploys no such
// pods, so istioctl analyze reports both (IST0173) on a real cluster too; requests never use them.
const MYSQL_SUBSETS = ['IST0173 DestinationRule ratings.default', 'IST0173 DestinationRule ratings.default']
// The gateway VS routes to productpage without a subset while the mesh VS uses subset v1: Istio warns.
const BOOKINFO_INGRESS = ['IST0140 VirtualService bookinfo.default']

const STATES: State[] = [
  { name: 'aks-voting-app step 3-4', files: AKS1, args: ['-n', 'voting'] },
  { name: 'aks-voting-app step 6', files: AKS2, args: ['-n', 'voting'] },
  {
    name: 'aks-voting-app step 7',
    files: [...AKS2, ...aks('istio/step-2-update-and-add-routing-for-all-components.yaml')],
    args: ['-n', 'voting'],
  },
  {
    name: 'aks-voting-app step 7 (2018 text: step-2a + step-2b)',
    files: [
      ...AKS2,
      ...aks(
        'istio/step-2a-update-voting-app-virtualservice.yaml',
        'istio/step-2b-add-routing-for-all-components.yaml',
      ),
    ],
    args: ['-n', 'voting'],
  },
  {
    name: 'aks-voting-app step 9-10',
    files: [
      ...AKS2,
      ...aks(
        'istio/step-2-update-and-add-routing-for-all-components.yaml',
        'istio/step-3-add-routing-for-2.0-components.yaml',
        'kubernetes/step-3-update-voting-app-with-new-storage.yaml',
      ),
    ],
    args: ['-n', 'voting'],
  },
  { name: 'tkubica-istio step 7 (retries)', files: [...TK, ...tk('retryVirtualService.yaml')] },
  {
    name: 'tkubica-istio 2020 text (retries + circuit breaker)',
    files: [...TK, S('tkubica-istio/kubernetes-demo-2020/istio/circuitBreaker.yaml')],
  },
  { name: 'tkubica-istio step 8 (mirror)', files: [...TK, ...tk('sniffer.yaml', 'copyVirtualService.yaml')] },
  {
    name: 'tkubica-istio step 10 (canary 10%)',
    files: [...TK, ...tk('sniffer.yaml', 'copyVirtualService.yaml', 'canary10percent.yaml')],
  },
  {
    name: 'tkubica-istio steps 11-15 (cookie canary, ServiceEntry, gateway)',
    files: [
      ...TK,
      ...tk(
        'sniffer.yaml',
        'copyVirtualService.yaml',
        'canaryCookie.yaml',
        'serviceEntry.yaml',
        'gateway.yaml',
      ),
    ],
    // gateway-service routes ingress traffic to myweb-service without a subset; the mesh VS uses subsets.
    warnings: ['IST0140 VirtualService gateway-service.default'],
  },
  {
    name: 'tkubica-istio steps 16-17 (load balancing)',
    files: [
      ...TK,
      ...tk(
        'sniffer.yaml',
        'copyVirtualService.yaml',
        'serviceEntry.yaml',
        'gateway.yaml',
        'lbRandom.yaml',
        'lbHeaderHash.yaml',
      ),
    ],
    warnings: ['IST0140 VirtualService gateway-service.default'],
  },
  { name: 'arunksingh16-flask step 3-4', files: flask('kubernetes.yaml', 'ingress.yaml', 'gateway.yaml') },
  {
    name: 'arunksingh16-flask step 5',
    files: flask('kubernetes.yaml', 'gateway.yaml', 'canary_ingress.yaml'),
  },
  {
    name: 'arunksingh16-flask step 7',
    files: flask('kubernetes.yaml', 'gateway.yaml', 'canary_ingress.yaml', 'focused_Canary_Testing.yaml'),
  },
  {
    name: 'online-boutique istio-manifests (services not in the folder)',
    files: [S('online-boutique/istio-manifests')],
  },
  { name: 'istio-samples bookinfo 5a', files: BOOKINFO },
  {
    name: 'istio-samples bookinfo with subsets',
    files: BOOKINFO_DR,
    errors: MYSQL_SUBSETS,
    warnings: BOOKINFO_INGRESS,
  },
  ...[
    'virtual-service-reviews-test-v2.yaml',
    'virtual-service-reviews-jason-v2-v3.yaml',
    'virtual-service-reviews-50-v3.yaml',
    'virtual-service-reviews-v3.yaml',
    'virtual-service-reviews-v2-v3.yaml',
    'virtual-service-reviews-80-20.yaml',
    'virtual-service-reviews-90-10.yaml',
    'virtual-service-ratings-test-delay.yaml',
    'virtual-service-ratings-test-abort.yaml',
  ].map((f) => ({
    name: `istio-samples bookinfo ${f}`,
    files: [...BOOKINFO_DR, ...bi(`networking/${f}`)],
    errors: MYSQL_SUBSETS,
    warnings: BOOKINFO_INGRESS,
  })),
  {
    name: 'istio-samples httpbin + fortio (circuit breaking)',
    files: samples(
      'httpbin/httpbin.yaml',
      'httpbin/httpbin-gateway.yaml',
      'httpbin/sample-client/fortio-deploy.yaml',
    ),
  },
  {
    name: 'istio-samples httpbin Gateway API',
    files: samples('httpbin/httpbin.yaml', 'httpbin/gateway-api/httpbin-gateway.yaml'),
  },
  {
    name: 'istio-samples helloworld + sleep + curl',
    files: samples(
      'helloworld/helloworld.yaml',
      'helloworld/helloworld-gateway.yaml',
      'sleep/sleep.yaml',
      'curl/curl.yaml',
    ),
  },
  {
    name: 'istio-samples helloworld Gateway API',
    files: samples('helloworld/helloworld.yaml', 'helloworld/gateway-api'),
  },
  {
    name: 'istio-samples egress to googleapis',
    files: [...bi('networking/egress-rule-google-apis.yaml'), ...samples('sleep/sleep.yaml')],
    // TLS origination without caCertificates: Istio warns that the server is not verified.
    warnings: ['IST0129 DestinationRule originate-tls-for-googleapis.default'],
  },
]

describe('weir analyze on the tutorials', { skip: !HAVE_SHARED && 'shared/ not present' }, () => {
  for (const s of STATES) {
    it(s.name, async () => {
      const r = await weir([...(s.args ?? []), ...s.files])
      assert.deepEqual(keys(r.stdout, 'Error'), [...(s.errors ?? [])].sort(), r.stdout)
      // Schema warnings (IST0133: deprecated fields and the like) are the validation module's to test.
      assert.deepEqual(
        [...keys(r.stdout, 'Warning'), ...keys(r.stdout, 'Info')]
          .filter((k) => !k.startsWith('IST0133'))
          .sort(),
        [...(s.warnings ?? [])].sort(),
        r.stdout,
      )
      assert.equal(r.code, s.errors?.length ? 79 : 0, r.stderr)
      if (r.stdout.trim() === '') {
        const ns = s.args?.[1] ?? 'default'
        assert.match(r.stderr, new RegExp(`✔ No validation issues found when analyzing namespace: ${ns}\\.`))
      }
    })
  }

  it('online-boutique: the folder with a stand-in for the frontend Service of release/kubernetes-manifests.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-analyze-'))
    const frontend = join(dir, 'frontend-service.yaml')
    await writeFile(
      frontend,
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\nspec:\n  selector:\n    app: frontend\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n',
    )
    const r = await weir([S('online-boutique'), frontend])
    assert.equal(lines(r.stdout, 'Error').length, 0, r.stdout)
    assert.equal(r.code, 0, r.stderr)
  })

  it('online-boutique without the frontend Service: the route to it is reported at its line', async () => {
    const r = await weir([S('online-boutique')])
    assert.equal(r.code, 79)
    assert.match(
      r.stdout,
      /^Error \[IST0101\] \(VirtualService frontend\.default \S+frontend\.yaml:25\) Referenced host not found: "frontend"$/m,
    )
  })
})
