/** @module proxyconfig/match.test — host, string and route matching as Envoy does it. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  describeMismatch,
  findRoute,
  hostWithoutPort,
  matchRoute,
  matchString,
  type RequestView,
  selectVirtualHost,
} from './match.ts'
import type { RouteMatch } from './types.ts'

function req(over: Partial<RequestView> = {}): RequestView {
  return { path: '/', method: 'GET', authority: 'reviews:9080', headers: {}, ...over }
}

const COOKIE = { kind: 'regex', value: '^(.*?; ?)?(featureflag=on)(;.*)?$' } as const

describe('matchString', () => {
  it('regex is a full match (AKS cookie rule)', () => {
    assert.equal(matchString(COOKIE, 'featureflag=on'), true)
    assert.equal(matchString(COOKIE, 'a=b; featureflag=on'), true)
    assert.equal(matchString(COOKIE, 'a=b;featureflag=on; c=d'), true)
    assert.equal(matchString(COOKIE, 'featureflag=off'), false)
    assert.equal(matchString({ kind: 'regex', value: 'featureflag=on' }, 'a=b; featureflag=on'), false)
    assert.equal(matchString({ kind: 'regex', value: '\\d+$' }, '123'), true)
    assert.equal(matchString({ kind: 'regex', value: '\\d+$' }, 'a123'), false)
  })
  it('an invalid regex never matches and does not throw', () => {
    assert.equal(matchString({ kind: 'regex', value: '(a' }, '(a'), false)
    assert.equal(matchString({ kind: 'regex', value: '(?<=a)b' }, 'ab'), false)
  })
  it('prefix is a plain string prefix; ignoreCase applies', () => {
    assert.equal(matchString({ kind: 'prefix', value: '/v2' }, '/v2example'), true)
    assert.equal(matchString({ kind: 'prefix', value: '/V2' }, '/v2'), false)
    assert.equal(matchString({ kind: 'prefix', value: '/V2', ignoreCase: true }, '/v2'), true)
    assert.equal(matchString({ kind: 'exact', value: 'jason' }, 'Jason'), false)
  })
  it('absent fails everything, presence included', () => {
    assert.equal(matchString({ kind: 'present' }, undefined), false)
    assert.equal(matchString({ kind: 'present' }, ''), true)
  })
})

describe('matchRoute', () => {
  it('ANDs conditions and ignores the query string for the path', () => {
    const m: RouteMatch = {
      path: { kind: 'prefix', value: '/' },
      headers: [{ name: 'cookie', match: COOKIE }],
    }
    assert.equal(matchRoute(m, req({ path: '/?x=1', headers: { cookie: 'featureflag=on' } })), true)
    assert.equal(matchRoute(m, req({ path: '/' })), false)
    assert.equal(matchRoute({ path: { kind: 'exact', value: '/a' } }, req({ path: '/a?b=c' })), true)
  })
  it('joins several header values with commas, cookies with "; "', () => {
    const m: RouteMatch = { headers: [{ name: 'cookie', match: COOKIE }] }
    assert.equal(matchRoute(m, req({ headers: { cookie: ['a=b', 'featureflag=on'] } })), true)
    const x: RouteMatch = { headers: [{ name: 'x', match: { kind: 'exact', value: '1,2' } }] }
    assert.equal(matchRoute(x, req({ headers: { x: ['1', '2'] } })), true)
  })
  it('withoutHeaders treats an absent header as empty', () => {
    const inv: RouteMatch = { headers: [{ name: 'x', match: { kind: 'exact', value: '' }, invert: true }] }
    assert.equal(matchRoute(inv, req()), false)
    assert.equal(matchRoute(inv, req({ headers: { x: 'y' } })), true)
    const invP: RouteMatch = { headers: [{ name: 'x', match: { kind: 'present' }, invert: true }] }
    assert.equal(matchRoute(invP, req()), true)
    assert.equal(matchRoute(invP, req({ headers: { x: '' } })), false)
  })
  it('matches method, query parameters; explains mismatches', () => {
    const m: RouteMatch = {
      method: { kind: 'exact', value: 'POST' },
      queryParams: [{ name: 'id', match: { kind: 'regex', value: '\\d+' } }],
    }
    assert.equal(matchRoute(m, req({ method: 'post', path: '/x?id=12' })), true)
    assert.equal(matchRoute(m, req({ method: 'POST', path: '/x?id=a12' })), false)
    assert.deepEqual(describeMismatch(m, req({ path: '/x' })), [
      'method "GET" does not match exact "POST"',
      'query parameter id absent does not match regex "\\\\d+"',
    ])
  })
  it('first match wins', () => {
    const routes = [
      { match: { path: { kind: 'prefix', value: '/list' } } as RouteMatch },
      { match: {} as RouteMatch },
    ]
    assert.equal(findRoute(routes, req({ path: '/list/1' })), 0)
    assert.equal(findRoute(routes, req({ path: '/' })), 1)
    assert.equal(findRoute(routes.slice(0, 1), req({ path: '/' })), -1)
  })
})

describe('selectVirtualHost', () => {
  const vhosts = [
    { name: 'all', domains: ['*'] },
    { name: 'suffix', domains: ['*.example.com'] },
    { name: 'longsuffix', domains: ['*.dev.example.com'] },
    { name: 'prefix', domains: ['reviews.*'] },
    { name: 'exact', domains: ['reviews', 'reviews.default.svc.cluster.local', '10.0.0.1'] },
  ]
  it('exact > longest suffix > prefix > *; port and case ignored', () => {
    assert.equal(selectVirtualHost(vhosts, 'Reviews:9080')?.name, 'exact')
    assert.equal(selectVirtualHost(vhosts, '10.0.0.1:9080')?.name, 'exact')
    assert.equal(selectVirtualHost(vhosts, 'a.dev.example.com')?.name, 'longsuffix')
    assert.equal(selectVirtualHost(vhosts, 'a.example.com')?.name, 'suffix')
    assert.equal(selectVirtualHost(vhosts, 'example.com')?.name, 'all')
    assert.equal(selectVirtualHost(vhosts, 'reviews.other')?.name, 'prefix')
    assert.equal(selectVirtualHost(vhosts.slice(1), 'nothing'), undefined)
  })
  it('strips ports, keeps IPv6 brackets', () => {
    assert.equal(hostWithoutPort('[::1]:80'), '[::1]')
    assert.equal(hostWithoutPort('a.b:80'), 'a.b')
    assert.equal(hostWithoutPort('A.B'), 'a.b')
  })
  it('a suffix wildcard never matches the bare suffix (property)', () => {
    fc.assert(
      fc.property(fc.domain(), fc.domain(), (sub, base) => {
        const v = [{ domains: [`*.${base}`] }]
        assert.equal(selectVirtualHost(v, base), undefined)
        assert.equal(selectVirtualHost(v, `${sub}.${base}`), v[0])
      }),
      { numRuns: 200 },
    )
  })
})
