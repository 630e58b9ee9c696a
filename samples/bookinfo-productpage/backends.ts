/** @module samples/bookinfo-productpage/backends — productpage's calls to details and reviews (3 s timeouts, reviews tried twice). */

import { serviceAddress } from '../lib/bookinfo-headers.ts'
import { fetchText } from '../lib/fetch.ts'

/** A backend's answer as productpage sees it: a status and a JSON object (an `error` on failure). */
export interface BackendAnswer {
  status: number
  body: Record<string, unknown>
}

/** The text shown when details fails. */
export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.'
/** The text shown when reviews fails. */
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.'
/** The text shown when ratings fails (the `/api/v1/products/<id>/ratings` proxy). */
export const RATINGS_UNAVAILABLE = 'Sorry, product ratings are currently unavailable for this book.'

const TIMEOUT_MS = 3000

async function once(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string } | undefined> {
  try {
    return await fetchText(url, { headers, timeoutMs: TIMEOUT_MS })
  } catch {
    return undefined
  }
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Calls `url` up to `attempts` times; the first 200 with JSON wins. */
async function call(
  url: string,
  headers: Record<string, string>,
  attempts: number,
  error: string,
): Promise<BackendAnswer> {
  let last: { status: number; body: string } | undefined
  for (let i = 0; i < attempts; i++) {
    last = await once(url, headers)
    const json = last?.status === 200 ? parse(last.body) : undefined
    if (json) return { status: 200, body: json }
  }
  return { status: last?.status || 500, body: { error } }
}

/** `GET details:9080/details/<id>`, one attempt. */
export function getDetails(id: number, headers: Record<string, string>): Promise<BackendAnswer> {
  return call(`${serviceAddress('details')}/details/${id}`, headers, 1, DETAILS_UNAVAILABLE)
}

/** `GET reviews:9080/reviews/<id>`, two attempts. */
export function getReviews(id: number, headers: Record<string, string>): Promise<BackendAnswer> {
  return call(`${serviceAddress('reviews')}/reviews/${id}`, headers, 2, REVIEWS_UNAVAILABLE)
}

/** `GET ratings:9080/ratings/<id>`, one attempt. */
export function getRatings(id: number, headers: Record<string, string>): Promise<BackendAnswer> {
  return call(`${serviceAddress('ratings')}/ratings/${id}`, headers, 1, RATINGS_UNAVAILABLE)
}
