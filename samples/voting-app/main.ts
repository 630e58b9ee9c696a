/**
 * @module samples/voting-app/main — stand-in for `mcr.microsoft.com/aks/samples/voting/app:1.0|2.0`.
 * `GET /` asks voting-analytics for the results text (forwarding the tracing headers) and renders the
 * page; `POST /` records a vote (Redis in 1.0, MySQL in 2.0, chosen by env `APP_VERSION`);
 * `POST /featureflag/set|clear` sets or clears the `featureflag` cookie.
 */
import type { ServerResponse } from 'node:http'
import { type FetchResult, fetchText, pickHeaders } from '../lib/fetch.ts'
import { cookies, listenPort, podName, readBody, send, serve } from '../lib/serve.ts'
import { createVoteStore } from '../lib/vote-store.ts'
import { MAIN_CSS, renderVotePage } from './page.ts'

/** Tracing headers the original forwards to voting-analytics. */
export const TRACING_HEADERS = [
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'x-ot-span-context',
] as const

const env = process.env
const version = env.APP_VERSION || '1.0'
const title = env.TITLE || 'AKS Voting App'
const vote1 = env.VOTE1VALUE || 'Cats'
const vote2 = env.VOTE2VALUE || 'Dogs'
const analyticsUrl = `http://${env.ANALYTICS_HOST || 'voting-analytics'}:${env.ANALYTICS_PORT || 8080}/analytics`
const store = await createVoteStore(version === '2.0' ? 'mysql' : 'redis')

const redirectHome = (res: ServerResponse, headers: Record<string, string> = {}): void =>
  send(res, 302, 'Found. Redirecting to /', 'text/plain; charset=utf-8', { location: '/', ...headers })

serve(
  `voting-app ${version}`,
  async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/') {
      let analytics: FetchResult
      try {
        analytics = await fetchText(analyticsUrl, { headers: pickHeaders(req.headers, TRACING_HEADERS) })
      } catch (err) {
        // The original logs the error and never answers: the request hangs until the client gives up.
        process.stderr.write(`voting-app: analytics call failed: ${(err as Error).message}\n`)
        return
      }
      send(
        res,
        200,
        renderVotePage({
          title,
          vote1,
          vote2,
          analytics: analyticsText(analytics.body),
          showDetails: env.SHOWDETAILS === 'true',
          hostName: podName(),
          store: store.kind,
          featureFlagEnabled: env.FEATUREFLAG === 'true',
          featureFlagSet: Boolean(cookies(req).get('featureflag')),
        }),
        'text/html; charset=utf-8',
      )
      return
    }
    if (req.method === 'POST' && path === '/') {
      const vote = new URLSearchParams(await readBody(req)).get('vote')
      try {
        if (vote === 'reset') await store.reset([vote1, vote2])
        else if (vote) await store.vote(vote)
      } catch (err) {
        process.stderr.write(`voting-app: storage error: ${(err as Error).message}\n`)
        send(res, 500, 'Internal Server Error\n')
        return
      }
      redirectHome(res)
      return
    }
    if (req.method === 'POST' && path === '/featureflag/set') {
      const expires = new Date(Date.now() + 15 * 60_000).toUTCString()
      redirectHome(res, { 'set-cookie': `featureflag=on; Path=/; Expires=${expires}` })
      return
    }
    if (req.method === 'POST' && path === '/featureflag/clear') {
      redirectHome(res, { 'set-cookie': 'featureflag=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT' })
      return
    }
    if (req.method === 'GET' && path === '/css/main.css') {
      send(res, 200, MAIN_CSS, 'text/css; charset=utf-8')
      return
    }
    send(res, 404, `Cannot ${req.method} ${path}\n`, 'text/html; charset=utf-8')
  },
  listenPort(8080),
)

/** The `text` field of the analytics JSON; empty when the answer is not JSON (as the original renders it). */
function analyticsText(body: string): string {
  try {
    const v = JSON.parse(body) as { text?: unknown }
    return typeof v.text === 'string' ? v.text : ''
  } catch {
    return ''
  }
}
