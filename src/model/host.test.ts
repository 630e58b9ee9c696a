/** @module model/host.test — Istio host semantics: short names, wildcards, gateway references. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { hostCovers, hostIntersection, resolveGatewayName, resolveHost, splitServerHost } from './host.ts'

describe('resolveHost', () => {
  it('resolves short names in the namespace of the rule, leaves the rest', () => {
    assert.equal(resolveHost('reviews', 'foo'), 'reviews.foo.svc.cluster.local')
    assert.equal(resolveHost('Reviews', 'foo'), 'reviews.foo.svc.cluster.local')
    assert.equal(resolveHost('reviews.bar', 'foo'), 'reviews.bar')
    assert.equal(resolveHost('*', 'foo'), '*')
    assert.equal(resolveHost('*.example.com', 'foo'), '*.example.com')
    assert.equal(resolveHost('10.0.0.1', 'foo'), '10.0.0.1')
  })
})

describe('hostCovers', () => {
  it('wildcards cover names under the suffix, not the bare suffix', () => {
    assert.equal(hostCovers('*.foo.com', 'a.b.foo.com'), true)
    assert.equal(hostCovers('*.foo.com', 'foo.com'), false)
    assert.equal(hostCovers('*.com', 'foo.com'), true)
    assert.equal(hostCovers('*', 'anything'), true)
    assert.equal(hostCovers('*.foo.com', '*.a.foo.com'), true)
    assert.equal(hostCovers('*.a.foo.com', '*.foo.com'), false)
    assert.equal(hostIntersection('*.example.com', 'a.example.com'), 'a.example.com')
    assert.equal(hostIntersection('a.example.com', 'b.example.com'), undefined)
  })
  it('a name covers itself; * covers everything (property)', () => {
    fc.assert(
      fc.property(fc.domain(), (d) => {
        assert.ok(hostCovers(d, d))
        assert.ok(hostCovers('*', d))
        assert.ok(hostCovers(`*.${d}`, `x.${d}`))
        assert.ok(!hostCovers(`*.${d}`, d))
      }),
      { numRuns: 200 },
    )
  })
})

describe('gateway names', () => {
  it('resolves short, ./, ns/ and legacy FQDN references', () => {
    assert.equal(resolveGatewayName('mesh', 'a'), 'mesh')
    assert.equal(resolveGatewayName('gw', 'a'), 'a/gw')
    assert.equal(resolveGatewayName('./gw', 'a'), 'a/gw')
    assert.equal(resolveGatewayName('b/gw', 'a'), 'b/gw')
    assert.equal(resolveGatewayName('gw.b.svc.cluster.local', 'a'), 'b/gw')
  })
  it('splits server hosts with namespaces', () => {
    assert.deepEqual(splitServerHost('*.Example.com', 'gwns'), { namespace: '*', host: '*.example.com' })
    assert.deepEqual(splitServerHost('./a.com', 'gwns'), { namespace: 'gwns', host: 'a.com' })
    assert.deepEqual(splitServerHost('shop/a.com', 'gwns'), { namespace: 'shop', host: 'a.com' })
  })
})
