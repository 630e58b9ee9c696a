/** @module samples/lib/bookinfo-headers — the headers Bookinfo services pass on to the next hop. */

/** Request headers productpage and reviews forward (tracing, user agent, cookie, auth, end-user). */
export const FORWARDED_HEADERS: readonly string[] = [
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'traceparent',
  'tracestate',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
  'end-user',
]

/** Host of a Bookinfo service: `<NAME>_HOSTNAME` or the name, plus `.SERVICES_DOMAIN` when set, and the port. */
export function serviceAddress(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const upper = name.toUpperCase()
  const domain = env.SERVICES_DOMAIN ? `.${env.SERVICES_DOMAIN}` : ''
  const host = env[`${upper}_HOSTNAME`] || name
  const port = env[`${upper}_SERVICE_PORT`] || '9080'
  return `http://${host}${domain}:${port}`
}
