/**
 * @module samples/bookinfo-productpage/main — stand-in for Bookinfo `productpage` v1 (port 9080).
 * `/productpage` shows the product with details (3 s timeout) and reviews (3 s timeout, two attempts),
 * passing the request's tracing/user headers on and adding `end-user: <user>` for a logged-in user;
 * `POST /login` and `GET /logout` keep the user in a signed `session` cookie; `/api/v1/products…` proxy
 * the backends as JSON; `/health` → `Product page is healthy`.
 */
import type { IncomingMessage } from 'node:http'
import { FORWARDED_HEADERS } from '../lib/bookinfo-headers.ts'
import { pickHeaders } from '../lib/fetch.ts'
import { cookies, listenPort, readBody, send, sendJson, serve } from '../lib/serve.ts'
import { getDetails, getRatings, getReviews } from './backends.ts'
import { indexPage, PRODUCT, productPage } from './page.ts'
import { decodeSession, encodeSession } from './session.ts'

function sessionUser(req: IncomingMessage): string | undefined {
  return decodeSession(cookies(req).get('session'))
}

/** The headers passed to details/reviews: the forwarded set plus `end-user` from the session. */
function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const headers = pickHeaders(
    req.headers,
    FORWARDED_HEADERS.filter((h) => h !== 'end-user'),
  )
  const user = sessionUser(req)
  if (user) headers['end-user'] = user
  return headers
}

function backTo(req: IncomingMessage): string {
  const ref = req.headers.referer
  return typeof ref === 'string' && ref !== '' ? ref : '/productpage'
}

const HTML = 'text/html; charset=utf-8'

serve(
  'productpage',
  async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    if (path === '/' || path === '/index.html') return send(res, 200, indexPage(), HTML)
    if (path === '/health') return send(res, 200, 'Product page is healthy', HTML)
    if (path === '/login' && req.method === 'POST') {
      const user = new URLSearchParams(await readBody(req)).get('username') ?? ''
      const cookie = user
        ? `session=${encodeSession(user)}; HttpOnly; Path=/`
        : 'session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/'
      return send(res, 302, '', HTML, { location: backTo(req), 'set-cookie': cookie })
    }
    if (path === '/logout') {
      return send(res, 302, '', HTML, {
        location: backTo(req),
        'set-cookie': 'session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/',
      })
    }
    if (path === '/productpage') {
      const headers = forwardHeaders(req)
      const details = await getDetails(PRODUCT.id, headers)
      const reviews = await getReviews(PRODUCT.id, headers)
      return send(res, 200, productPage(sessionUser(req), details, reviews), HTML)
    }
    if (path === '/api/v1/products') return sendJson(res, 200, [PRODUCT])
    const m = /^\/api\/v1\/products\/(\d+)(\/reviews|\/ratings)?$/.exec(path)
    if (m) {
      const id = Number(m[1])
      const headers = forwardHeaders(req)
      const call = m[2] === '/reviews' ? getReviews : m[2] === '/ratings' ? getRatings : getDetails
      const r = await call(id, headers)
      return sendJson(res, r.status, r.body)
    }
    send(
      res,
      404,
      '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n',
      HTML,
    )
  },
  listenPort(9080),
)
