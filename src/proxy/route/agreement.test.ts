/**
 * The proxy's compiled route table against `proxyconfig/match.ts` (what `weir explain` uses): for
 * random virtual hosts, routes and requests both must pick the same virtual host and the same route.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { findRoute, selectVirtualHost } from '../../proxyconfig/match.ts'
import type { Route, RouteMatch, StringMatch, VirtualHost } from '../../proxyconfig/types.ts'
import { compileRouteTable, firstRoute } from './table.ts'

const label = fc.constantFrom('a', 'b', 'ab', 'reviews', 'example', 'com')
const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'))
const domain = fc.oneof(
  host,
  host.map((h) => `*.${h}`),
  host.map((h) => `${h}.*`),
  fc.constant('*'),
)
const text = fc.constantFrom('', '/', '/a', '/ab', '/a/b', '/A', 'x', 'on', 'ON')
const stringMatch: fc.Arbitrary<StringMatch> = fc.oneof(
  text.map((value) => ({ kind: 'exact' as const, value })),
  text.map((value) => ({ kind: 'prefix' as const, value })),
  fc.tuple(text, fc.boolean()).map(([value, ignoreCase]) => ({ kind: 'prefix' as const, value, ignoreCase })),
  fc
    .constantFrom('/a.*', '.*b', '[a-z/]+', 'on|ON', '(?i)on')
    .map((value) => ({ kind: 'regex' as const, value })),
  fc.constant({ kind: 'present' as const }),
)
const routeMatch: fc.Arbitrary<RouteMatch> = fc.record(
  {
    path: stringMatch,
    method: fc.constantFrom<StringMatch>({ kind: 'exact', value: 'GET' }, { kind: 'exact', value: 'POST' }),
    headers: fc.array(
      fc.record({ name: fc.constantFrom('x-a', 'cookie'), match: stringMatch, invert: fc.boolean() }),
      { maxLength: 2 },
    ),
    queryParams: fc.array(fc.record({ name: fc.constantFrom('q', 'id'), match: stringMatch }), {
      maxLength: 1,
    }),
  },
  { requiredKeys: [] },
)
const route: fc.Arbitrary<Route> = routeMatch.map((match) => ({
  match,
  action: { kind: 'respond', status: 200 },
  policy: {},
}))
const vhosts: fc.Arbitrary<VirtualHost[]> = fc
  .array(
    fc.record({
      domains: fc.array(domain, { minLength: 1, maxLength: 3 }),
      routes: fc.array(route, { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((vs) => vs.map((v, i) => ({ name: `v${i}`, ...v })))
const request = fc.record({
  authority: fc.tuple(host, fc.constantFrom('', ':80', ':9080')).map(([h, p]) => h + p),
  path: fc.constantFrom('/', '/a', '/ab', '/a/b', '/A', '/x'),
  query: fc.constantFrom('', 'q=on', 'id=ON&q=x'),
  method: fc.constantFrom('GET', 'POST'),
  headers: fc.record(
    {
      'x-a': fc.oneof(
        text,
        fc.constant(null).map(() => ['on', 'x']),
      ),
      cookie: fc.constantFrom('on', 'a=b; on'),
    },
    { requiredKeys: [] },
  ),
})

describe('route selection agrees with proxyconfig/match (explain)', () => {
  it('same virtual host and same first route for random tables and requests', () => {
    fc.assert(
      fc.property(vhosts, request, (vs, rq) => {
        const table = compileRouteTable({ name: 't', virtualHosts: vs })
        const mine = table.select(rq.authority)
        const theirs = selectVirtualHost(vs, rq.authority)
        assert.equal(mine?.vhost.name, theirs?.name)
        if (!mine || !theirs) return
        const input = {
          path: rq.path,
          query: rq.query,
          method: rq.method,
          scheme: 'http',
          authority: rq.authority,
          headers: rq.headers as Record<string, string | string[]>,
        }
        const myRoute = firstRoute(mine, input)
        const theirIndex = findRoute(theirs.routes, {
          ...input,
          path: rq.query ? `${rq.path}?${rq.query}` : rq.path,
        })
        assert.equal(myRoute ? theirs.routes.indexOf(myRoute.route) : -1, theirIndex)
      }),
      { numRuns: 500, seed: 4242 },
    )
  })
})
