/**
 * @module samples/bookinfo-ratings/main — stand-in for Bookinfo `ratings` v1 (port 9080):
 * `GET /ratings/<id>` → `{"id":<id>,"ratings":{"Reviewer1":5,"Reviewer2":4}}` (or what a POST stored),
 * `POST /ratings/<id>` stores a JSON object of ratings in memory, `GET /health`.
 */
import { listenPort, readBody, sendJson, serve } from '../lib/serve.ts'

const DEFAULT: Record<string, number> = { Reviewer1: 5, Reviewer2: 4 }
const stored = new Map<number, Record<string, number>>()

serve(
  'ratings',
  async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/health') return sendJson(res, 200, { status: 'Ratings is healthy' })
    const m = /^\/ratings\/([^/]*)$/.exec(path)
    if (!m) return sendJson(res, 404, { error: 'invalid request' })
    if (!/^\d+$/.test(m[1] ?? '')) return sendJson(res, 400, { error: 'please provide numeric product ID' })
    const id = Number(m[1])
    if (req.method === 'POST') {
      let v: unknown
      try {
        v = JSON.parse(await readBody(req))
      } catch {
        return sendJson(res, 400, { error: 'please provide valid ratings JSON' })
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        return sendJson(res, 400, { error: 'please provide valid ratings JSON' })
      }
      stored.set(id, v as Record<string, number>)
      return sendJson(res, 200, { id, ratings: v })
    }
    if (req.method === 'GET') return sendJson(res, 200, { id, ratings: stored.get(id) ?? DEFAULT })
    sendJson(res, 405, { error: 'method not allowed' })
  },
  listenPort(9080),
)
