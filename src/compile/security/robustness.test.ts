import assert from 'node:assert/strict'
import { it } from 'node:test'
import fc from 'fast-check'
import type { Resource } from '../../api/resource.ts'
import { authorize } from '../../proxy/security/authz.ts'
import { compileAuthorization } from './authorization.ts'
import { effectivePeerAuthentication } from './peer-authentication.ts'
import { tlsCheck } from './tls-check.ts'
import { upstreamTlsFor } from './upstream-tls.ts'

const res = (apiVersion: string, kind: string, spec: unknown): Resource => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns' },
  body: { spec },
})

/** Specs shaped a little like the real thing, with wrong types anywhere. */
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      '*',
      'GET',
      '/a*',
      '*.html',
      '10.0.0.0/8',
      'STRICT',
      'ALLOW',
      'DENY',
      '8080',
      'request.headers[x]',
    ),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'rules',
        'from',
        'to',
        'when',
        'source',
        'operation',
        'principals',
        'notPaths',
        'ipBlocks',
        'key',
        'values',
        'mtls',
        'mode',
        'selector',
        'matchLabels',
        'portLevelMtls',
        'action',
        'ports',
      ),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value

it('bad specs never throw: compile, authorize, peer authentication, upstream TLS, tls-check', () => {
  fc.assert(
    fc.property(junk, (spec) => {
      const ap = res('security.istio.io/v1', 'AuthorizationPolicy', spec)
      const pa = res('security.istio.io/v1', 'PeerAuthentication', spec)
      const compiled = compileAuthorization([ap], { namespace: 'ns', labels: {} })
      const d = authorize(compiled, {
        sourceIp: '10.1.1.1',
        port: 8080,
        method: 'GET',
        path: '/a',
        headers: { x: 'y' },
      })
      assert.equal(typeof d.allowed, 'boolean')
      authorize(compiled, { protocol: 'tcp', sourceIp: 'not-an-ip', port: 1 })
      assert.ok(
        ['STRICT', 'PERMISSIVE', 'DISABLE'].includes(
          effectivePeerAuthentication([pa], { namespace: 'ns', labels: {} }, 8080),
        ),
      )
      upstreamTlsFor(spec, true)
      tlsCheck([res('v1', 'Service', spec), pa, res('networking.istio.io/v1', 'DestinationRule', spec)], {
        podNamespace: 'ns',
      })
    }),
    { numRuns: 400 },
  )
})
