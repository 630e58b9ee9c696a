/**
 * @module proxy/filters/mirror — fire-and-forget request mirroring. The caller never waits for the
 * mirror nor sees its result; failures are swallowed. Only requests whose body is buffered (or empty)
 * are mirrored.
 */
import type { Dispatcher } from 'undici'
import type { MirrorPolicy } from '../../proxyconfig/types.ts'
import { draw } from './fault.ts'
import type { HeaderBag } from './headers.ts'

/** Sends the mirrored copies that the percentages select. `dispatch` finds a pool for a cluster. */
export function sendMirrors(
  mirrors: readonly MirrorPolicy[] | undefined,
  base: { method: string; path: string; headers: HeaderBag; body: Buffer | null },
  poolFor: (cluster: string) => Dispatcher | undefined,
): void {
  if (!mirrors) return
  for (const m of mirrors) {
    if (!draw(m.percentage)) continue
    const pool = poolFor(m.cluster)
    if (!pool) continue
    const headers = { ...base.headers }
    const host = headers.host
    if (m.shadowHostSuffix && typeof host === 'string') headers.host = `${host}-shadow`
    pool
      .request({ method: base.method as Dispatcher.HttpMethod, path: base.path, headers, body: base.body })
      .then((r) => r.body.dump())
      .catch(() => {})
  }
}
