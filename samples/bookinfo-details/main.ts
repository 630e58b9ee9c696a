/**
 * @module samples/bookinfo-details/main — stand-in for Bookinfo `details` v1 (port 9080):
 * `GET /details/<id>` → the book's details JSON; `GET /health` → `{"status":"Details is healthy"}`.
 */
import { listenPort, sendJson, serve } from '../lib/serve.ts'

/** The details of book `id`. */
export function bookDetails(id: number): Record<string, unknown> {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  }
}

serve(
  'details',
  (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/health') return sendJson(res, 200, { status: 'Details is healthy' })
    const m = /^\/details\/([^/]*)$/.exec(path)
    if (m && req.method === 'GET') {
      const id = Number(m[1])
      if (!/^-?\d+$/.test(m[1] ?? ''))
        return sendJson(res, 400, { error: 'please provide numeric product id' })
      return sendJson(res, 200, bookDetails(id))
    }
    sendJson(res, 404, { error: 'invalid request' })
  },
  listenPort(9080),
)
