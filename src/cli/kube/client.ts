/**
 * @module cli/kube/client — the REST client of the kubectl-like verbs.
 *
 * Where the control plane is: `--server URL` or `WEIR_SERVER`; otherwise `<state>/server.json`, which
 * `weir up` writes. The token: `--token` or `WEIR_TOKEN`; otherwise `<state>/token`. The state
 * directory: `--state DIR`, else `WEIR_STATE`, else `./.weir` (the directory `weir up` uses by default).
 */
import type { Command } from 'commander'
import { resolveTarget } from '../format/target.ts'

/** Options every verb that talks to the control plane accepts. */
export interface ClientFlags {
  server?: string
  token?: string
  state?: string
  namespace?: string
}

/** A response: status code, headers, parsed JSON body (undefined when not JSON). */
export interface ApiResponse {
  status: number
  headers: Headers
  body: unknown
}

/** A connected client. */
export interface KubeClient {
  readonly url: string
  /** Sends one request; `body` is sent as JSON unless it is a string. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; contentType?: string; query?: Record<string, string | undefined> },
  ): Promise<ApiResponse>
  /** Opens a watch stream and calls `onLine` with each parsed event until the stream ends. */
  stream(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (e: unknown) => void,
  ): Promise<ApiResponse>
}

/** Thrown when the control plane cannot be found or reached (printed as `error: …`, exit 1). */
export class ConnectionError extends Error {}

/** Adds `--server`, `--token`, `--state` and `-n/--namespace` to a command. */
export function addClientOptions(cmd: Command): Command {
  acceptBoolValues(cmd)
  return cmd
    .option('-n, --namespace <namespace>', 'the namespace (default: the object’s own, else default)')
    .option('--server <url>', 'control plane URL (env WEIR_SERVER; default: from <state>/server.json)')
    .option('--token <token>', 'bearer token (env WEIR_TOKEN; default: <state>/token)')
    .option('--state <dir>', 'state directory of `weir up` (env WEIR_STATE; default ./.weir)')
}

/**
 * Lets boolean flags take kubectl's `--flag=true|false` form (`--ignore-not-found=true`): the value is
 * folded into the flag before commander parses, as commander only knows `--flag`.
 */
function acceptBoolValues(cmd: Command): void {
  const parse = cmd.parseOptions.bind(cmd)
  cmd.parseOptions = (argv: string[]) => {
    const bools = new Set(cmd.options.filter((o) => !o.required && !o.optional && o.long).map((o) => o.long))
    const out: string[] = []
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!
      if (a === '--') {
        out.push(...argv.slice(i))
        break
      }
      const m = /^(--[^=]+)=(true|false)$/.exec(a)
      if (m && bools.has(m[1])) {
        if (m[2] === 'true') out.push(m[1]!)
      } else out.push(a)
    }
    return parse(out)
  }
}

/** The state directory the flags and environment name. */
export function stateDir(flags: ClientFlags): string {
  return flags.state ?? process.env.WEIR_STATE ?? '.weir'
}

/** Prints the server's `Warning: 299 - "text"` headers as kubectl does: `Warning: text` on stderr. */
function printWarnings(headers: Headers): void {
  const raw = headers.get('warning')
  if (!raw) return
  for (const m of raw.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
    process.stderr.write(`Warning: ${m[1]!.replace(/\\(.)/g, '$1')}\n`)
  }
}

/** Finds the control plane and its token. Throws ConnectionError with a message naming what is missing. */
export function connect(flags: ClientFlags): KubeClient {
  const found = resolveTarget(flags)
  if (!found.ok) throw new ConnectionError(found.error)
  const { url, token } = found.target
  const base = url.replace(/\/+$/, '')
  const headers = (contentType?: string): Record<string, string> => ({
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    ...(contentType ? { 'content-type': contentType } : {}),
  })
  const fullUrl = (path: string, query: Record<string, string | undefined> = {}): string => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v)
    const qs = q.toString()
    return `${base}${path}${qs ? `?${qs}` : ''}`
  }
  const send = async (input: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(input, init)
    } catch (err) {
      const host = new URL(base).host
      const cause = (err as { cause?: { code?: string } }).cause?.code
      if (cause === 'ECONNREFUSED') {
        throw new ConnectionError(
          `The connection to the server ${host} was refused - is the control plane running?`,
        )
      }
      throw new ConnectionError(
        `cannot reach the control plane at ${base}: ${cause ?? (err as Error).message}`,
      )
    }
  }
  const parse = async (res: Response): Promise<unknown> => {
    const text = await res.text()
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return {
    url: base,
    async request(method, path, opts = {}) {
      const body =
        opts.body === undefined
          ? undefined
          : typeof opts.body === 'string'
            ? opts.body
            : JSON.stringify(opts.body)
      const res = await send(fullUrl(path, opts.query), {
        method,
        headers: headers(body === undefined ? undefined : (opts.contentType ?? 'application/json')),
        ...(body !== undefined ? { body } : {}),
      })
      printWarnings(res.headers)
      return { status: res.status, headers: res.headers, body: await parse(res) }
    },
    async stream(path, query, onEvent) {
      const res = await send(fullUrl(path, { ...query, watch: 'true' }), { headers: headers() })
      if (res.status !== 200 || !res.body)
        return { status: res.status, headers: res.headers, body: await parse(res) }
      const decoder = new TextDecoder()
      let buf = ''
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true })
        let nl = buf.indexOf('\n')
        while (nl >= 0) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          if (line.trim() !== '') onEvent(JSON.parse(line))
          nl = buf.indexOf('\n')
        }
      }
      return { status: 200, headers: res.headers, body: undefined }
    },
  }
}
