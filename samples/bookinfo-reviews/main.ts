/**
 * @module samples/bookinfo-reviews/main — stand-in for Bookinfo `reviews` v1/v2/v3 (port 9080).
 * `GET /reviews/<id>` → `{"id","podname","clustername","reviews":[…]}`. With `ENABLE_RATINGS=true` each
 * review gets `rating: {stars, color: STAR_COLOR}` from `ratings` (headers passed on, `end-user`
 * included), or `{error: "Ratings service is currently unavailable"}`. The ratings call times out after
 * 10 s for black stars (v2) and 2.5 s otherwise (v3). The catalog sets the env per image version.
 */

import { FORWARDED_HEADERS, serviceAddress } from '../lib/bookinfo-headers.ts'
import { fetchText, pickHeaders } from '../lib/fetch.ts'
import { listenPort, podName, send, sendJson, serve } from '../lib/serve.ts'

/** The text reviews carry when ratings cannot be read. */
export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable'

const ratingsEnabled = process.env.ENABLE_RATINGS === 'true'
const color = process.env.STAR_COLOR || 'black'
const timeoutMs = color === 'black' ? 10_000 : 2_500
const ratingsBase = serviceAddress('ratings')

const REVIEWS = [
  ['Reviewer1', 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!'],
  [
    'Reviewer2',
    'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
  ],
] as const

async function ratingsFor(
  id: string,
  headers: Record<string, string>,
): Promise<Record<string, number> | undefined> {
  try {
    const r = await fetchText(`${ratingsBase}/ratings/${id}`, { headers, timeoutMs })
    if (r.status !== 200) return undefined
    const v = JSON.parse(r.body) as { ratings?: Record<string, number> }
    return v.ratings ?? {}
  } catch (err) {
    process.stderr.write(`reviews: ratings call failed: ${(err as Error).message}\n`)
    return undefined
  }
}

serve(
  `reviews (ratings ${ratingsEnabled ? color : 'off'})`,
  async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/health') return send(res, 200, '{"status": "Reviews is healthy"}', 'application/json')
    const m = /^\/reviews\/([^/]+)$/.exec(path)
    if (!m || req.method !== 'GET') return sendJson(res, 404, { error: 'invalid request' })
    const id = m[1] ?? ''
    const ratings = ratingsEnabled
      ? await ratingsFor(id, pickHeaders(req.headers, FORWARDED_HEADERS))
      : undefined
    const reviews = REVIEWS.map(([reviewer, text]) => {
      const review: Record<string, unknown> = { reviewer, text }
      if (ratingsEnabled) {
        const stars = ratings?.[reviewer]
        review.rating =
          ratings === undefined ? { error: RATINGS_UNAVAILABLE } : stars === undefined ? {} : { stars, color }
      }
      return review
    })
    sendJson(res, 200, {
      id,
      podname: podName(),
      clustername: process.env.CLUSTER_NAME ?? 'null',
      reviews,
    })
  },
  listenPort(9080),
)
