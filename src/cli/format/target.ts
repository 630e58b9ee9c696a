/** @module cli/format/target — where the control plane is and its token (flags, env, state dir), and a small JSON GET. */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Flags shared by the commands that talk to a running control plane. */
export interface TargetFlags {
  server?: string
  token?: string
  state?: string
}

/** A control plane to talk to. */
export interface Target {
  url: string
  token: string
}

/**
 * Resolves the control plane: `--server` / `WEIR_SERVER`, else `url` in `<state>/server.json`; the token
 * from `--token` / `WEIR_TOKEN`, else `<state>/token`. State is `--state` / `WEIR_STATE` / `./.weir`.
 */
export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; target: Target } | { ok: false; error: string } {
  const state = resolve(flags.state ?? env.WEIR_STATE ?? '.weir')
  let url = flags.server ?? env.WEIR_SERVER
  if (!url) {
    const file = join(state, 'server.json')
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown }
      if (typeof v.url !== 'string') return { ok: false, error: `${file}: field "url" is missing` }
      url = v.url
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message
      return {
        ok: false,
        error: `no control plane: ${file} ${why} (start one with \`weir up\`, or pass --server / WEIR_SERVER)`,
      }
    }
  }
  let token = flags.token ?? env.WEIR_TOKEN
  if (!token) {
    const file = join(state, 'token')
    try {
      token = readFileSync(file, 'utf8').trim()
    } catch (err) {
      return {
        ok: false,
        error: `no token: cannot read ${file} (${(err as Error).message}); pass --token / WEIR_TOKEN`,
      }
    }
  }
  return { ok: true, target: { url: url.replace(/\/+$/, ''), token } }
}

/** GETs `path` and parses JSON. Errors (unreachable, 4xx/5xx) come back as a message, never thrown. */
export async function getJson<T>(
  target: Target,
  path: string,
): Promise<{ ok: true; status: number; body: T } | { ok: false; status?: number; error: string }> {
  let res: Response
  try {
    res = await fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${target.token}` } })
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
    return { ok: false, error: `cannot reach the control plane at ${target.url}: ${cause}` }
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, status: res.status, error: `${res.status} from ${path}: ${text.slice(0, 200)}` }
  }
  if (!res.ok) {
    const b = body as { error?: string; message?: string }
    return { ok: false, status: res.status, error: b.error ?? b.message ?? `HTTP ${res.status}` }
  }
  return { ok: true, status: res.status, body: body as T }
}

/** Adds `--server`, `--token` and `--state` to a command. */
export function withTargetOptions<T extends { option(flags: string, description: string): T }>(cmd: T): T {
  return cmd
    .option('--server <url>', 'control plane URL (default: $WEIR_SERVER, or <state>/server.json)')
    .option('--token <token>', 'bearer token (default: $WEIR_TOKEN, or <state>/token)')
    .option('--state <dir>', 'state directory (default: $WEIR_STATE, or ./.weir)')
}
