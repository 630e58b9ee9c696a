/** @module cli/format/proxy-status — `weir proxy-status` table, in istioctl 1.1x–1.2x's column set. */
import type { ProxyStatusRow } from '../../xds/status.ts'
import { formatTable } from './table.ts'

/**
 * istioctl's columns `NAME CLUSTER CDS LDS EDS RDS ECDS ISTIOD VERSION`. Weir pushes the whole config
 * at once, so CDS, LDS, EDS and RDS share one state (SYNCED, STALE, NOT SENT, or NACK when the proxy
 * refused the last push); ECDS is not used (IGNORED, as istioctl prints an unsubscribed type).
 */
export const PROXY_STATUS_HEADER = [
  'NAME',
  'CLUSTER',
  'CDS',
  'LDS',
  'EDS',
  'RDS',
  'ECDS',
  'ISTIOD',
  'VERSION',
] as const

/** The table for `rows` (sorted by name). */
export function formatProxyStatus(rows: readonly ProxyStatusRow[]): string {
  const sorted = [...rows].sort((a, b) => a.proxy.localeCompare(b.proxy))
  return formatTable(
    PROXY_STATUS_HEADER,
    sorted.map((r) => [
      r.proxy,
      r.cluster,
      r.state,
      r.state,
      r.state,
      r.state,
      'IGNORED',
      r.istiod,
      r.proxyVersion,
    ]),
  )
}

/** One line per proxy that is not SYNCED, with the reason of a NACK (for `weir wait` and errors). */
export function describeNotSynced(rows: readonly ProxyStatusRow[]): string {
  return rows
    .filter((r) => r.state !== 'SYNCED')
    .map((r) => {
      const why = r.state === 'NACK' && r.nack ? `: ${r.nack.error.code}: ${r.nack.error.message}` : ''
      const sent = r.sent ? ` (sent ${r.sent.version}, runs ${r.runningVersion ?? 'nothing'})` : ''
      return `  ${r.proxy}  ${r.state}${sent}${why}\n`
    })
    .join('')
}
