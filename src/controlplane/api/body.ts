/** @module controlplane/api/body — reads a request body (bounded) and parses it as JSON or YAML by its content type. */
import type { IncomingMessage } from 'node:http'
import { parse as parseYaml } from 'yaml'

/** Largest body accepted (Kubernetes' limit is 3 MiB per object). */
export const MAX_BODY = 3 * 1024 * 1024

/** A parsed body: the value, the raw text (for source positions), or why it could not be read. */
export type Body =
  | { ok: true; value: unknown; text: string; yaml: boolean }
  | { ok: false; code: number; message: string }

/** Reads the whole body, refusing more than `MAX_BODY` bytes. */
export async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = []
  // Event-based so an oversized body can be drained (not reset) and the client still reads the 413.
  const tooLarge = await new Promise<boolean>((resolve, reject) => {
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) over = true
      else chunks.push(c)
    })
    req.on('end', () => resolve(over))
    req.on('error', reject)
  })
  if (tooLarge) return { ok: false, code: 413, message: 'request entity too large' }
  const text = Buffer.concat(chunks).toString('utf8')
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase()
  const yaml = type.includes('yaml')
  try {
    const value: unknown = yaml ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text)
    return { ok: true, value, text, yaml }
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err)
    return {
      ok: false,
      code: 400,
      message: `the request body does not parse as ${yaml ? 'YAML' : 'JSON'}: ${why}`,
    }
  }
}
