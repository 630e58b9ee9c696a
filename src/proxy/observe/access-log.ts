/**
 * @module proxy/observe/access-log — one line per request in Istio's default text format
 * (istio-semantics §4.3), or the same fields as JSON.
 */

/** The fields of one access-log entry (Envoy command operators, `-` when unknown). */
export interface AccessLogEntry {
  start_time: string
  method: string
  path: string
  protocol: string
  response_code: number
  response_flags: string
  response_code_details: string
  connection_termination_details: string
  upstream_transport_failure_reason: string
  bytes_received: number
  bytes_sent: number
  duration: number
  upstream_service_time: string
  x_forwarded_for: string
  user_agent: string
  request_id: string
  authority: string
  upstream_host: string
  upstream_cluster: string
  upstream_local_address: string
  downstream_local_address: string
  downstream_remote_address: string
  requested_server_name: string
  route_name: string
}

/** Formats an entry as Istio's default text line (with trailing newline). */
export function formatText(e: AccessLogEntry): string {
  return (
    `[${e.start_time}] "${e.method} ${e.path} ${e.protocol}" ${e.response_code} ${e.response_flags} ` +
    `${e.response_code_details} ${e.connection_termination_details} "${e.upstream_transport_failure_reason}" ` +
    `${e.bytes_received} ${e.bytes_sent} ${e.duration} ${e.upstream_service_time} "${e.x_forwarded_for}" ` +
    `"${e.user_agent}" "${e.request_id}" "${e.authority}" "${e.upstream_host}" ${e.upstream_cluster} ` +
    `${e.upstream_local_address} ${e.downstream_local_address} ${e.downstream_remote_address} ` +
    `${e.requested_server_name} ${e.route_name}\n`
  )
}

/** Formats an entry as one JSON line. */
export function formatJson(e: AccessLogEntry): string {
  return `${JSON.stringify(e)}\n`
}

/** `-` for empty values, as Envoy prints them. */
export function dash(v: string | undefined | null): string {
  return v === undefined || v === null || v === '' ? '-' : v
}
