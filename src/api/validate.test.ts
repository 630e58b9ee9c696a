import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HAVE_SHARED, shared } from '../../test/support/shared.ts'
import { loadPaths, parseText } from './load.ts'
import { validateResource } from './validate.ts'

/** Validates every resource of a YAML text; returns the diagnostics. */
function check(text: string) {
  const r = parseText(text, 'in.yaml')
  assert.deepEqual(r.diagnostics, [], 'the test input loads')
  return r.resources.flatMap((res) => validateResource(res))
}

function vs(http: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts: [reviews]
${extra}  http:
${http}`
}

/** Asserts exactly one diagnostic, with this code, line, path and message fragment. */
function one(text: string, want: { code: string; line: number; path: string; message: RegExp | string }) {
  const diags = check(text)
  assert.equal(diags.length, 1, `expected one diagnostic, got ${JSON.stringify(diags, null, 1)}`)
  const d = diags[0]
  assert.ok(d)
  assert.equal(d.code, want.code)
  assert.equal(d.severity, 'Error')
  assert.equal(d.source?.file, 'in.yaml')
  assert.equal(d.source?.line, want.line)
  assert.equal(d.path, want.path)
  if (typeof want.message === 'string') assert.ok(d.message.includes(want.message), d.message)
  else assert.match(d.message, want.message)
  assert.deepEqual(d.resource, { kind: 'VirtualService', namespace: 'default', name: 'reviews' })
}

describe('validateResource: the four classic mistakes', () => {
  it('weight: -1', () => {
    one(
      vs(`  - route:
    - destination: {host: reviews, subset: v1}
      weight: -1
    - destination: {host: reviews, subset: v2}
      weight: 50
`),
      { code: 'WEIR0102', line: 11, path: 'spec.http[0].route[0].weight', message: 'weight -1 < 0' },
    )
  })

  it('regex "(?=x)" (look-ahead is not RE2)', () => {
    one(
      vs(`  - match:
    - headers:
        cookie:
          regex: "(?=x)"
    route:
    - destination: {host: reviews}
`),
      {
        code: 'WEIR0102',
        line: 12,
        path: 'spec.http[0].match[0].headers.cookie.regex',
        message: /"\(\?=x\)".*RE2/,
      },
    )
  })

  it('retryOn: "5xx, reset" names the bad token', () => {
    one(
      vs(`  - route:
    - destination: {host: reviews}
    retries:
      attempts: 3
      retryOn: "5xx, reset"
`),
      {
        code: 'WEIR0102',
        line: 13,
        path: 'spec.http[0].retries.retryOn',
        message: '" reset" is not a valid retryOn policy',
      },
    )
  })

  it('percentage: {value: 120}', () => {
    one(
      vs(`  - route:
    - destination: {host: reviews}
    fault:
      delay:
        fixedDelay: 5s
        percentage: {value: 120}
`),
      {
        code: 'WEIR0102',
        line: 14,
        path: 'spec.http[0].fault.delay.percentage.value',
        message: '120 is not in range 0..100',
      },
    )
  })
})

describe('validateResource: CRD schema and CEL (WEIR0101)', () => {
  it('reports an unknown field as the API server does with strict field validation', () => {
    one(vs(`  - route:\n    - destination: {host: reviews}\n    timeoutt: 1s\n`), {
      code: 'WEIR0101',
      line: 11,
      path: 'spec.http[0].timeoutt',
      message: 'unknown field "spec.http[0].timeoutt"',
    })
  })

  it('reports a wrong type once', () => {
    one(vs(`  - route:\n    - destination: {host: reviews}\n      weight: "50"\n`), {
      code: 'WEIR0101',
      line: 11,
      path: 'spec.http[0].route[0].weight',
      message: 'in body must be of type integer: "string"',
    })
  })

  it('reports two fields of a oneOf as one diagnostic naming both', () => {
    one(
      vs(`  - match:\n    - uri: {prefix: /a, exact: /b}\n    route:\n    - destination: {host: reviews}\n`),
      {
        code: 'WEIR0101',
        line: 10,
        path: 'spec.http[0].match[0].uri',
        message: /only one of exact, prefix, regex may be set, found exact and prefix/,
      },
    )
  })

  it('evaluates CEL duration rules (timeout below 1ms)', () => {
    one(vs(`  - route:\n    - destination: {host: reviews}\n    timeout: 0.5ms\n`), {
      code: 'WEIR0101',
      line: 11,
      path: 'spec.http[0].timeout',
      message: 'spec.http[0].timeout: Invalid value: "string": must be a valid duration greater than 1ms',
    })
  })

  it('accepts durations Istio accepts', () => {
    for (const t of ['1s', '500ms', '1.5s', '1h30m', '1ms']) {
      assert.deepEqual(
        check(vs(`  - route:\n    - destination: {host: reviews}\n    timeout: ${t}\n`)),
        [],
        t,
      )
    }
  })

  it('maps every networking version to the schema, and reports an enum with its values', () => {
    for (const v of ['v1alpha3', 'v1beta1', 'v1']) {
      const d = check(
        `apiVersion: networking.istio.io/${v}\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n  trafficPolicy:\n    loadBalancer: {simple: FASTEST}\n`,
      )
      assert.equal(d.length, 1)
      assert.match(d[0]?.message ?? '', /Unsupported value: "FASTEST": supported values: .*"ROUND_ROBIN"/)
      assert.equal(d[0]?.source?.line, 7)
    }
  })

  it('runs CEL rules with Kubernetes wording (PeerAuthentication portLevelMtls without selector)', () => {
    const d = check(
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec:\n  portLevelMtls:\n    "80": {mode: STRICT}\n',
    )
    assert.equal(d.length, 1)
    assert.equal(d[0]?.message, 'spec: Invalid value: "object": portLevelMtls requires selector')
  })
})

describe('validateResource: Istio semantic checks (WEIR0102)', () => {
  const errs = (text: string) => check(text).filter((d) => d.severity === 'Error')

  it('requires exactly one of route, redirect, directResponse, delegate', () => {
    const d = errs(vs(`  - route:\n    - destination: {host: reviews}\n    redirect: {uri: /x}\n`))
    assert.equal(d.length, 1)
    assert.match(d[0]?.message ?? '', /only one of route, redirect.*found route and redirect/)
    assert.match(
      errs(vs(`  - timeout: 1s\n`))[0]?.message ?? '',
      /route, redirect, directResponse or delegate is required/,
    )
  })

  it('rejects a total weight of 0 across two destinations, accepts one destination with weight 0', () => {
    const two = `  - route:\n    - destination: {host: a}\n      weight: 0\n    - destination: {host: b}\n      weight: 0\n`
    assert.match(errs(vs(two))[0]?.message ?? '', /total destination weight = 0/)
    assert.deepEqual(errs(vs(`  - route:\n    - destination: {host: a}\n      weight: 0\n`)), [])
  })

  it('accepts numeric retryOn codes and rejects attempts: 0 with a retry policy', () => {
    assert.deepEqual(
      errs(
        vs(
          `  - route:\n    - destination: {host: a}\n    retries: {attempts: 2, retryOn: "503,5xx,gateway-error"}\n`,
        ),
      ),
      [],
    )
    const d = errs(
      vs(`  - route:\n    - destination: {host: a}\n    retries: {attempts: 0, perTryTimeout: 2s}\n`),
    )
    assert.match(d[0]?.message ?? '', /attempts are set to 0/)
    assert.equal(d[0]?.path, 'spec.http[0].retries.attempts')
  })

  it('checks fault, mirror/mirrors, header case and destination host', () => {
    assert.match(
      errs(vs(`  - route:\n    - destination: {host: a}\n    fault: {}\n`))[0]?.message ?? '',
      /abort and\/or a delay/,
    )
    assert.match(
      errs(
        vs(
          `  - route:\n    - destination: {host: a}\n    mirror: {host: b}\n    mirrors: [{destination: {host: c}}]\n`,
        ),
      )[0]?.message ?? '',
      /both mirror and mirrors/,
    )
    const h = errs(
      vs(
        `  - match:\n    - headers:\n        X-User: {exact: a}\n    route:\n    - destination: {host: a}\n`,
      ),
    )
    assert.equal(h[0]?.path, 'spec.http[0].match[0].headers.X-User')
    assert.match(h[0]?.message ?? '', /must be lowercase/)
    assert.match(
      errs(vs(`  - route:\n    - destination: {host: "*"}\n`))[0]?.message ?? '',
      /invalid destination host \*/,
    )
  })

  it('forbids host * for a mesh-bound VirtualService but allows it on a gateway', () => {
    const mesh = vs(`  - route:\n    - destination: {host: a}\n`).replace('hosts: [reviews]', 'hosts: ["*"]')
    assert.match(errs(mesh)[0]?.message ?? '', /wildcard host \* is not allowed/)
    assert.deepEqual(errs(mesh.replace('hosts: ["*"]', 'hosts: ["*"]\n  gateways: [bookinfo-gateway]')), [])
  })

  it('warns (WEIR0103) on deprecated percent and mirrorPercent but accepts them', () => {
    const d = check(
      vs(
        `  - route:\n    - destination: {host: a}\n    mirror: {host: b}\n    mirrorPercent: 50\n    fault:\n      delay: {fixedDelay: 1s, percent: 10}\n`,
      ),
    )
    assert.deepEqual(
      d.map((x) => [x.severity, x.code, x.path]),
      [
        ['Warning', 'WEIR0103', 'spec.http[0].mirrorPercent'],
        ['Warning', 'WEIR0103', 'spec.http[0].fault.delay.percent'],
      ],
    )
  })

  it('DestinationRule: unique subset names, label syntax, deprecated consecutiveErrors', () => {
    const d = check(`apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: r}
spec:
  host: reviews
  trafficPolicy:
    outlierDetection: {consecutiveErrors: 5}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v1
    labels: {"bad key!": v2}
`)
    assert.deepEqual(
      d.map((x) => [x.severity, x.code, x.path, x.source?.line]),
      [
        ['Warning', 'WEIR0103', 'spec.trafficPolicy.outlierDetection.consecutiveErrors', 7],
        ['Error', 'WEIR0102', 'spec.subsets[1].name', 11],
        ['Error', 'WEIR0102', 'spec.subsets[1].labels.bad key!', 12],
      ],
    )
    assert.match(d[1]?.message ?? '', /duplicate subset names: v1/)
  })

  it('Gateway: port name, protocol, unique names, TLS for HTTPS', () => {
    const d = errs(`apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: {name: g}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 81, name: http, protocol: HTTPX}
    hosts: ["*"]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["ns/*.example.com"]
`)
    assert.deepEqual(
      d.map((x) => x.path),
      ['spec.servers[1].port.name', 'spec.servers[1].port.protocol', 'spec.servers[2].tls'],
    )
  })

  it('ServiceEntry: wildcard hosts need NONE or DYNAMIC_DNS; STATIC needs endpoints', () => {
    const se = (res: string) => `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: {name: s}
spec:
  hosts: ["*.wikipedia.org"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: ${res}
`
    assert.deepEqual(errs(se('NONE')), [])
    assert.match(errs(se('DNS'))[0]?.message ?? '', /hosts must be FQDN/)
    assert.match(errs(se('STATIC'))[0]?.message ?? '', /endpoints must be provided/)
    assert.match(
      check(se('NONE').replace('resolution: NONE', 'resolution: NONE\n  endpoints: [{address: 1.1.1.1}]'))[0]
        ?.message ?? '',
      /NONE mode cannot set endpoints/,
    )
  })

  it('legacy authentication Policy: peers[].mtls.mode is STRICT, PERMISSIVE or empty', () => {
    const p = (mode: string) =>
      `apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: default}\nspec:\n  peers:\n  - mtls: ${mode}\n`
    assert.deepEqual(errs(p('{mode: STRICT}')), [])
    assert.deepEqual(errs(p('{}')), [])
    assert.deepEqual(errs(p('null')), [])
    const d = errs(p('{mode: STRIKT}'))
    assert.equal(d[0]?.path, 'spec.peers[0].mtls.mode')
    assert.equal(d[0]?.source?.line, 6)
  })

  it('Kubernetes kinds: Service ports 1-65535, Deployment needs a template', () => {
    const d = errs(`apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - port: 0
  - port: 80
    targetPort: 70000
  - port: "http"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 1
`)
    assert.deepEqual(
      d.map((x) => [x.path, x.source?.line]),
      [
        ['spec.ports[0].port', 6],
        ['spec.ports[1].targetPort', 8],
        ['spec.ports[2].port', 9],
        ['spec.template', 15],
      ],
    )
  })
})

describe('validateResource: robustness', () => {
  it('never throws on odd shapes', () => {
    const odd = [
      null,
      1,
      'x',
      [],
      {},
      { http: 'x' },
      { http: [null, 1, { route: 'x', match: [null] }] },
      { hosts: [1, null] },
    ]
    for (const kind of ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar']) {
      for (const spec of odd) {
        const body = { apiVersion: 'networking.istio.io/v1', kind, metadata: { name: 'x' }, spec }
        const d = validateResource({
          apiVersion: 'networking.istio.io/v1',
          kind,
          metadata: { name: 'x' },
          body,
        })
        assert.ok(Array.isArray(d))
      }
    }
  })
})

describe('validateResource: the tutorials', { skip: !HAVE_SHARED && 'shared/ is not present' }, () => {
  it('accepts every resource of every scenario folder without an error', async () => {
    const r = await loadPaths([shared('scenarios')])
    assert.ok(r.resources.length > 150)
    const errors = r.resources.flatMap((res) => validateResource(res)).filter((d) => d.severity === 'Error')
    assert.deepEqual(errors, [])
  })
})

describe('validateResource: more of Istio webhook checks', () => {
  const errs = (text: string) => check(text).filter((d) => d.severity === 'Error')

  it('VirtualService: duplicate hosts, exportTo, SNI hosts within the VS hosts, JWT claims only on gateways', () => {
    const head = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n'
    const route = '  tcp:\n  - route:\n    - destination: {host: a}\n'
    assert.match(
      errs(`${head}  hosts: ["*.example.com", "a.example.com"]\n${route}`)[0]?.message ?? '',
      /duplicate hosts/,
    )
    assert.match(
      errs(`${head}  hosts: [a]\n  exportTo: ["*", "."]\n${route}`)[0]?.message ?? '',
      /both public/,
    )
    const tls = `${head}  hosts: ["*.example.com"]\n  tls:\n  - match:\n    - sniHosts: [other.org]\n    route:\n    - destination: {host: a}\n`
    assert.deepEqual(
      errs(tls).map((d) => [d.path, d.source?.line]),
      [['spec.tls[0].match[0].sniHosts[0]', 8]],
    )
    const jwt = `${head}  hosts: [a]\n  http:\n  - match:\n    - headers:\n        "@request.auth.claims.group": {exact: admin}\n    route:\n    - destination: {host: a}\n`
    assert.match(errs(jwt)[0]?.message ?? '', /only supported for gateway/)
    assert.deepEqual(errs(jwt.replace('  hosts: [a]\n', '  hosts: [a]\n  gateways: [gw]\n')), [])
  })

  it('DestinationRule: an empty trafficPolicy and MUTUAL TLS without a certificate', () => {
    const dr = (tp: string) =>
      `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: a\n  trafficPolicy: ${tp}\n`
    assert.match(errs(dr('{}'))[0]?.message ?? '', /traffic policy must have at least one field/)
    assert.deepEqual(
      errs(dr('{tls: {mode: MUTUAL}}')).map((d) => d.message),
      ['client certificate required for mutual tls', 'private key required for mutual tls'],
    )
    assert.deepEqual(errs(dr('{tls: {mode: ISTIO_MUTUAL}}')), [])
  })

  it('AuthorizationPolicy: CUSTOM needs rules and a provider name', () => {
    const ap = (extra: string) =>
      `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}\nspec:\n  action: CUSTOM\n${extra}`
    assert.match(errs(ap(''))[0]?.message ?? '', /CUSTOM action without `rules`/)
    assert.match(errs(ap('  rules: [{}]\n'))[0]?.message ?? '', /provider.name/)
    assert.deepEqual(errs(ap('  provider: {name: ext-authz}\n  rules: [{}]\n')), [])
  })
})

describe('validateResource: metadata', () => {
  it('rejects an unknown metadata field, a non-string label and bad label or name syntax', () => {
    const d = check(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: Reviews_DR
  labels:
    version: 2
  lables: {a: b}
spec:
  host: reviews
---
apiVersion: v1
kind: Service
metadata:
  name: 1reviews
  labels: {"app/": x}
spec:
  ports: [{port: 9080}]
`)
    assert.deepEqual(
      d.map((x) => [x.code, x.path, x.source?.line]),
      [
        ['WEIR0102', 'metadata.name', 4],
        ['WEIR0101', 'metadata.labels.version', 6],
        ['WEIR0101', 'metadata.lables', 7],
        ['WEIR0102', 'metadata.name', 14],
        ['WEIR0102', 'metadata.labels.app/', 15],
      ],
    )
    assert.match(d[2]?.message ?? '', /unknown field "metadata.lables"/)
  })
})

describe('validateResource: Sidecar and ServiceEntry ports', () => {
  const errs = (text: string) => check(text).filter((d) => d.severity === 'Error')

  it('Sidecar: egress hosts are namespace/dnsName, an empty Sidecar is rejected', () => {
    const sc = (spec: string) =>
      `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default}\nspec:${spec}\n`
    assert.deepEqual(errs(sc('\n  egress:\n  - hosts: ["./*", "istio-system/*"]')), [])
    assert.deepEqual(
      errs(sc('\n  egress:\n  - hosts: ["reviews"]')).map((d) => [d.path, d.source?.line]),
      [['spec.egress[0].hosts[0]', 6]],
    )
    assert.match(errs(sc(' {}'))[0]?.message ?? '', /empty configuration/)
  })

  it('ServiceEntry: port names are unique (CRD list-map rule) and protocols known', () => {
    const d = check(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: s}
spec:
  hosts: [api.example.com]
  resolution: DNS
  ports:
  - {number: 80, name: http, protocol: HTTP}
  - {number: 8080, name: http, protocol: HTTP}
  - {number: 9000, name: x, protocol: QUIC}
`)
    assert.deepEqual(
      d.map((x) => [x.code, x.path, x.source?.line]),
      [
        ['WEIR0101', 'spec.ports[1]', 9],
        ['WEIR0102', 'spec.ports[2].protocol', 10],
      ],
    )
  })
})
