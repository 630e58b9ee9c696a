/**
 * @module samples/voting-analytics/main — stand-in for `mcr.microsoft.com/aks/samples/voting/analytics:1.0|1.1|2.0`.
 * `GET /analytics` → `{"category1":{"name","count"},"category2":{…},"text"}`. The image version comes from
 * env `ANALYTICS_VERSION` (the catalog sets it): 1.0 counts text over Redis, 1.1 percent text over Redis,
 * 2.0 percent text over MySQL.
 */
import { listenPort, send, sendJson, serve } from '../lib/serve.ts'
import { createVoteStore } from '../lib/vote-store.ts'
import { countsText, percentText } from './text.ts'

const version = process.env.ANALYTICS_VERSION || '1.0'
const names: [string, string] = [process.env.VOTE1VALUE || 'Cats', process.env.VOTE2VALUE || 'Dogs']
const store = await createVoteStore(version === '2.0' ? 'mysql' : 'redis')
const format = version === '1.0' ? countsText : percentText

serve(
  `voting-analytics ${version}`,
  async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' || path !== '/analytics') {
      send(res, 404, `Cannot ${req.method} ${path}\n`, 'text/html; charset=utf-8')
      return
    }
    let counts: [number, number]
    try {
      const c = await store.counts(names)
      counts = [c[0] ?? 0, c[1] ?? 0]
    } catch (err) {
      process.stderr.write(`voting-analytics: storage error: ${(err as Error).message}\n`)
      send(res, 500, 'Internal Server Error\n')
      return
    }
    sendJson(res, 200, {
      category1: { name: names[0], count: counts[0] },
      category2: { name: names[1], count: counts[1] },
      text: format(names, counts),
    })
  },
  listenPort(8080),
)
