import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Resource } from '../../api/resource.ts'
import { compileAuthorization } from '../../compile/security/authorization.ts'
import { type AuthzAttributes, authorize, rbacDeniedResponse, rbacDetail } from './authz.ts'
import { normalizePath } from './path.ts'

function ap(namespace: string, name: string, spec: Record<string, unknown>): Resource {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace },
    body: { spec },
  }
}
const httpbin: { namespace: string; labels: Record<string, string> } = {
  namespace: 'foo',
  labels: { app: 'httpbin', version: 'v1' },
}
const sleep = 'spiffe://cluster.local/ns/foo/sa/sleep'
const req = (over: Partial<AuthzAttributes> = {}): AuthzAttributes => ({
  sourceIp: '10.0.0.5',
  port: 8000,
  host: 'httpbin.foo:8000',
  method: 'GET',
  path: '/ip',
  headers: {},
  principal: sleep,
  ...over,
})
const decide = (policies: Resource[], attrs: AuthzAttributes, workload = httpbin) =>
  authorize(compileAuthorization(policies, workload), attrs)

describe('authorize: Istio documented examples', () => {
  it('no policy allows everything', () => {
    assert.equal(decide([], req()).allowed, true)
  })

  it('allow-nothing (`spec: {}`) denies everything, with detail [none]', () => {
    const d = decide([ap('foo', 'allow-nothing', {})], req())
    assert.equal(d.allowed, false)
    assert.equal(rbacDetail(d), 'rbac_access_denied_matched_policy[none]')
    assert.deepEqual(rbacDeniedResponse(d).body, 'RBAC: access denied')
    assert.equal(rbacDeniedResponse(d).status, 403)
  })

  it('allow-all (`rules: [{}]`) allows everything', () => {
    assert.equal(decide([ap('foo', 'allow-all', { rules: [{}] })], req()).allowed, true)
  })

  it('deny-all DENY policy `rules: [{}]` wins over allow-all', () => {
    const d = decide(
      [ap('foo', 'allow-all', { rules: [{}] }), ap('foo', 'deny-all', { action: 'DENY', rules: [{}] })],
      req(),
    )
    assert.deepEqual(d, { allowed: false, policy: 'ns[foo]-policy[deny-all]', rule: 0 })
    assert.equal(rbacDetail(d), 'rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]')
  })

  it('reference example: principals or namespaces, GET /info* or POST /data', () => {
    const p = ap('foo', 'httpbin', {
      selector: { matchLabels: { app: 'httpbin', version: 'v1' } },
      action: 'ALLOW',
      rules: [
        {
          from: [
            { source: { principals: ['cluster.local/ns/default/sa/sleep'] } },
            { source: { namespaces: ['test'] } },
          ],
          to: [
            { operation: { methods: ['GET'], paths: ['/info*'] } },
            { operation: { methods: ['POST'], paths: ['/data'] } },
          ],
        },
      ],
    })
    const fromDefault = 'spiffe://cluster.local/ns/default/sa/sleep'
    assert.equal(decide([p], req({ principal: fromDefault, path: '/info/x' })).allowed, true)
    assert.equal(
      decide([p], req({ principal: 'spiffe://cluster.local/ns/test/sa/any', method: 'POST', path: '/data' }))
        .allowed,
      true,
    )
    assert.equal(decide([p], req({ principal: fromDefault, method: 'POST', path: '/info' })).allowed, false)
    assert.equal(decide([p], req({ principal: sleep, path: '/info' })).allowed, false)
    assert.equal(decide([p], req({ principal: undefined, path: '/info' })).allowed, false)
    // The selector does not pick another workload: no ALLOW policy there ⇒ allowed.
    assert.equal(
      decide([p], req({ principal: sleep }), { namespace: 'foo', labels: { app: 'other' } }).allowed,
      true,
    )
  })

  it('DENY from notNamespaces', () => {
    const p = ap('foo', 'deny', {
      action: 'DENY',
      rules: [{ from: [{ source: { notNamespaces: ['foo'] } }] }],
    })
    assert.equal(decide([p], req()).allowed, true)
    assert.equal(decide([p], req({ principal: 'spiffe://cluster.local/ns/bar/sa/x' })).allowed, false)
    assert.equal(decide([p], req({ principal: undefined })).allowed, false, 'plaintext has no namespace')
  })

  it('presence, prefix and suffix matching', () => {
    const p = ap('foo', 'p', {
      rules: [
        { from: [{ source: { principals: ['*'] } }], to: [{ operation: { paths: ['*.html', '/api/*'] } }] },
      ],
    })
    assert.equal(decide([p], req({ path: '/index.html' })).allowed, true)
    assert.equal(decide([p], req({ path: '/api/v1' })).allowed, true)
    assert.equal(decide([p], req({ path: '/other' })).allowed, false)
    assert.equal(decide([p], req({ path: '/index.html', principal: undefined })).allowed, false)
  })

  it('hosts are case-insensitive; methods are not', () => {
    const p = ap('foo', 'p', {
      rules: [{ to: [{ operation: { hosts: ['httpbin.example.com'], methods: ['GET'] } }] }],
    })
    assert.equal(decide([p], req({ host: 'HTTPBIN.Example.com' })).allowed, true)
    assert.equal(decide([p], req({ host: 'httpbin.example.com', method: 'get' })).allowed, false)
  })

  it('ports, ipBlocks and remoteIpBlocks with not* forms', () => {
    const p = ap('foo', 'p', {
      rules: [
        {
          from: [
            {
              source: { ipBlocks: ['10.0.0.0/8'], notIpBlocks: ['10.9.0.0/16'], remoteIpBlocks: ['1.2.3.4'] },
            },
          ],
          to: [{ operation: { ports: ['8000'] } }],
        },
      ],
    })
    assert.equal(decide([p], req({ remoteIp: '1.2.3.4' })).allowed, true)
    assert.equal(decide([p], req({ sourceIp: '::ffff:10.1.2.3', remoteIp: '1.2.3.4' })).allowed, true)
    assert.equal(decide([p], req({ sourceIp: '10.9.1.1', remoteIp: '1.2.3.4' })).allowed, false)
    assert.equal(decide([p], req()).allowed, false, 'remote ip defaults to the source ip')
    assert.equal(decide([p], req({ remoteIp: '1.2.3.4', port: 9000 })).allowed, false)
  })

  it('when: request.headers, source.namespace, source.principal, destination.port, source.ip', () => {
    const p = ap('foo', 'p', {
      rules: [
        {
          when: [
            { key: 'request.headers[version]', values: ['v1', 'v2'] },
            { key: 'source.namespace', notValues: ['bar'] },
            { key: 'source.principal', values: ['cluster.local/ns/foo/*'] },
            { key: 'destination.port', values: ['8000'] },
            { key: 'source.ip', values: ['10.0.0.0/24'] },
          ],
        },
      ],
    })
    assert.equal(decide([p], req({ headers: { version: 'v2' } })).allowed, true)
    assert.equal(decide([p], req({ headers: { version: 'v3' } })).allowed, false)
    assert.equal(decide([p], req({ headers: {} })).allowed, false)
    assert.equal(decide([p], req({ headers: { version: 'v1' }, sourceIp: '10.0.1.1' })).allowed, false)
    assert.equal(decide([p], req({ headers: { version: 'v1' }, port: 1 })).allowed, false)
  })

  it('URI templates {*} and {**}', () => {
    const p = ap('foo', 'p', { rules: [{ to: [{ operation: { paths: ['/foo/{*}/bar', '/files/{**}'] } }] }] })
    assert.equal(decide([p], req({ path: '/foo/x/bar' })).allowed, true)
    assert.equal(decide([p], req({ path: '/foo/x/y/bar' })).allowed, false)
    assert.equal(decide([p], req({ path: '/files/a/b/c.txt' })).allowed, true)
  })

  it('cluster.local in a principal stands for the mesh trust domain and its aliases', () => {
    const p = ap('foo', 'p', {
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/foo/sa/sleep'] } }] }],
    })
    const compiled = compileAuthorization([p], httpbin, {
      trustDomain: 'corp.example',
      trustDomainAliases: ['old.example'],
    })
    assert.equal(
      authorize(compiled, req({ principal: 'spiffe://corp.example/ns/foo/sa/sleep' })).allowed,
      true,
    )
    assert.equal(
      authorize(compiled, req({ principal: 'spiffe://old.example/ns/foo/sa/sleep' })).allowed,
      true,
    )
    assert.equal(
      authorize(compiled, req({ principal: 'spiffe://evil.example/ns/foo/sa/sleep' })).allowed,
      false,
    )
  })

  it('serviceAccounts match principals by namespace and account', () => {
    const p = ap('foo', 'p', { rules: [{ from: [{ source: { serviceAccounts: ['foo/sleep'] } }] }] })
    assert.equal(decide([p], req()).allowed, true)
    assert.equal(decide([p], req({ principal: 'spiffe://cluster.local/ns/bar/sa/sleep' })).allowed, false)
  })
})

describe('authorize: scope', () => {
  it('root-namespace policies apply mesh-wide; other namespaces do not', () => {
    const root = ap('istio-system', 'deny-bar', {
      action: 'DENY',
      rules: [{ from: [{ source: { namespaces: ['bar'] } }] }],
    })
    const other = ap('baz', 'deny-all', { action: 'DENY', rules: [{}] })
    const bar = 'spiffe://cluster.local/ns/bar/sa/x'
    assert.equal(decide([root, other], req({ principal: bar })).allowed, false)
    assert.equal(decide([root, other], req()).allowed, true)
  })

  it('dry-run policies are not enforced; AUDIT only marks', () => {
    const dry = ap('foo', 'dry', { action: 'DENY', rules: [{}] })
    dry.metadata.annotations = { 'istio.io/dry-run': 'true' }
    const audit = ap('foo', 'audit', {
      action: 'AUDIT',
      rules: [{ to: [{ operation: { paths: ['/ip'] } }] }],
    })
    const d = decide([dry, audit], req())
    assert.equal(d.allowed, true)
    assert.deepEqual(d.audit, { policy: 'ns[foo]-policy[audit]', rule: 0 })
  })
})

describe('authorize: path normalisation (authz bypass CVE class)', () => {
  const deny = ap('foo', 'deny-admin', {
    action: 'DENY',
    rules: [{ to: [{ operation: { paths: ['/admin', '/admin/*'] } }] }],
  })
  for (const path of [
    '/admin',
    '/public/../admin',
    '/public/%2e%2e/admin',
    '/./admin',
    '\\admin',
    '/%61dmin',
    '/admin?x=1',
    '/admin/x#f',
  ]) {
    it(`denies ${path}`, () => {
      assert.equal(decide([deny], req({ path })).allowed, false)
    })
  }
  it('keeps %2F and double slashes under BASE (Istio default), as Envoy does', () => {
    assert.equal(normalizePath('/admin%2fx'), '/admin%2Fx')
    assert.equal(decide([deny], req({ path: '//admin' })).allowed, true)
    assert.equal(decide([deny], req({ path: '//admin', pathNormalization: 'MERGE_SLASHES' })).allowed, false)
    assert.equal(
      decide([deny], req({ path: '/admin%2Fx', pathNormalization: 'DECODE_AND_MERGE_SLASHES' })).allowed,
      false,
    )
  })
})

describe('authorize: TCP', () => {
  const tcp = (over: Partial<AuthzAttributes> = {}): AuthzAttributes => ({
    protocol: 'tcp',
    sourceIp: '10.0.0.5',
    port: 6379,
    principal: sleep,
    ...over,
  })

  it('an ALLOW rule with HTTP-only fields never matches on TCP', () => {
    const p = ap('foo', 'p', {
      rules: [{ from: [{ source: { principals: ['*'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    })
    assert.equal(decide([p], tcp()).allowed, false)
  })

  it('a DENY rule ignores HTTP-only fields on TCP (denies more), scoped by port', () => {
    const p = ap('foo', 'p', {
      action: 'DENY',
      rules: [{ to: [{ operation: { methods: ['POST'], ports: ['6379'] } }] }],
    })
    assert.equal(decide([p], tcp()).allowed, false)
    assert.equal(decide([p], tcp({ port: 3306 })).allowed, true)
  })

  it('principals work on TCP', () => {
    const p = ap('foo', 'p', {
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/foo/sa/sleep'] } }] }],
    })
    assert.equal(decide([p], tcp()).allowed, true)
    assert.equal(decide([p], tcp({ principal: 'spiffe://cluster.local/ns/foo/sa/other' })).allowed, false)
  })
})
