import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Route } from '../../proxyconfig/types.ts'
import { compileRouteMatch, type MatchInput } from './match.ts'
import { normalizePath } from './path.ts'
import { compileRouteTable, firstRoute } from './table.ts'

const route = (): Route => ({ match: {}, action: { kind: 'respond', status: 200 }, policy: {} })
const req = (over: Partial<MatchInput> = {}): MatchInput => ({
  path: '/',
  query: '',
  method: 'GET',
  scheme: 'http',
  authority: 'h',
  headers: {},
  ...over,
})

describe('route table', () => {
  const table = compileRouteTable({
    name: 't',
    virtualHosts: [
      { name: 'star', domains: ['*'], routes: [route()] },
      { name: 'prefix', domains: ['reviews.*'], routes: [route()] },
      { name: 'short-suffix', domains: ['*.com'], routes: [route()] },
      { name: 'suffix', domains: ['*.example.com'], routes: [route()] },
      { name: 'exact', domains: ['reviews.example.com', 'reviews:9080'], routes: [route()] },
    ],
  })
  const pick = (a: string) => table.select(a)?.vhost.name
  it('prefers exact > longest suffix > prefix > *, case-insensitive, port ignored', () => {
    assert.equal(pick('Reviews.Example.com:80'), 'exact')
    assert.equal(pick('reviews:1234'), 'exact')
    assert.equal(pick('ratings.example.com'), 'suffix')
    assert.equal(pick('foo.com'), 'short-suffix')
    assert.equal(pick('reviews.default'), 'prefix')
    assert.equal(pick('example.com'), 'short-suffix')
    assert.equal(pick('other'), 'star')
  })

  it('matches Envoy’s string and header semantics', () => {
    const m = compileRouteMatch({
      path: { kind: 'prefix', value: '/v2' },
      headers: [
        { name: 'cookie', match: { kind: 'regex', value: '^(.*?;)?(featureflag=on)(;.*)?$' } },
        { name: 'x-debug', match: { kind: 'present' }, invert: true },
      ],
      queryParams: [{ name: 'id', match: { kind: 'regex', value: '\\d+' } }],
      method: { kind: 'exact', value: 'GET' },
    })
    const ok = req({ path: '/v2example', query: 'id=123', headers: { cookie: ['featureflag=on', 'a=b'] } })
    assert.equal(m(ok), true)
    assert.equal(m({ ...ok, query: 'id=a123' }), false)
    assert.equal(m({ ...ok, headers: { ...ok.headers, 'x-debug': '' } }), false)
    assert.equal(m({ ...ok, method: 'POST' }), false)
    const regexOnly = compileRouteMatch({
      headers: [{ name: 'cookie', match: { kind: 'regex', value: 'featureflag=on' } }],
    })
    assert.equal(regexOnly(req({ headers: { cookie: 'a=b; featureflag=on' } })), false)
    const ic = compileRouteMatch({ path: { kind: 'exact', value: '/A', ignoreCase: true } })
    assert.equal(ic(req({ path: '/a' })), true)
  })

  it('takes the first matching route', () => {
    const t = compileRouteTable({
      name: 't',
      virtualHosts: [
        {
          name: 'v',
          domains: ['*'],
          routes: [
            {
              ...route(),
              match: { path: { kind: 'exact', value: '/a' } },
              origin: { virtualService: 'x', rule: 0, name: 'first' },
            },
            { ...route(), origin: { virtualService: 'x', rule: 1, name: 'second' } },
          ],
        },
      ],
    })
    const vh = t.select('x')!
    assert.equal(firstRoute(vh, req({ path: '/a' }))?.route.origin?.name, 'first')
    assert.equal(firstRoute(vh, req({ path: '/b' }))?.route.origin?.name, 'second')
  })
})

describe('path normalisation', () => {
  it('removes dot segments and decodes unreserved escapes only', () => {
    assert.equal(normalizePath('/a/./b/../c'), '/a/c')
    assert.equal(normalizePath('/a/%2e%2e/b'), '/b')
    assert.equal(normalizePath('/%7euser/%2f'), '/~user/%2F')
    assert.equal(normalizePath('/../..'), '/')
    assert.equal(normalizePath('/a%zz'), undefined)
    assert.equal(normalizePath('relative'), undefined)
  })
})
