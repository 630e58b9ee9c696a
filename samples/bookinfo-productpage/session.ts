/** @module samples/bookinfo-productpage/session — the login session, kept in a signed `session` cookie as Flask does. */
import { createHmac, timingSafeEqual } from 'node:crypto'

const SECRET = process.env.PRODUCTPAGE_SECRET || 'weir-bookinfo-productpage'

function sign(payload: string): string {
  return createHmac('sha256', SECRET).update(payload).digest('base64url')
}

/** The cookie value holding `user`. */
export function encodeSession(user: string): string {
  const payload = Buffer.from(JSON.stringify({ user })).toString('base64url')
  return `${payload}.${sign(payload)}`
}

/** The user in a cookie value, or `undefined` when absent, forged or malformed. */
export function decodeSession(value: string | undefined): string | undefined {
  if (!value) return undefined
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return undefined
  const payload = value.slice(0, dot)
  const got = Buffer.from(value.slice(dot + 1))
  const want = Buffer.from(sign(payload))
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined
  try {
    const v = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { user?: unknown }
    return typeof v.user === 'string' && v.user !== '' ? v.user : undefined
  } catch {
    return undefined
  }
}
