/** @module observe/prometheus-config — a Prometheus scrape config that finds every proxy through the control plane's HTTP service discovery. */
import { stringify } from 'yaml'

/** Path of the control plane's Prometheus HTTP SD endpoint. */
export const PROMETHEUS_SD_PATH = '/observe/v1/prometheus-sd'

/** What the scrape config needs. */
export interface PrometheusConfigOptions {
  /** Control plane URL (`http://127.0.0.1:PORT`). */
  url: string
  token: string
  /** Default `15s` (Istio's sample Prometheus). */
  scrapeInterval?: string
  /** How often Prometheus asks for targets again (default `15s`). */
  refreshInterval?: string
  jobName?: string
}

/**
 * YAML text of a Prometheus config with one `http_sd_configs` job: the bearer token is sent with the
 * discovery request only (proxies' admin endpoints and the control plane's `/metrics` need none).
 */
export function prometheusConfig(o: PrometheusConfigOptions): string {
  const interval = o.scrapeInterval ?? '15s'
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: o.jobName ?? 'weir-mesh',
        http_sd_configs: [
          {
            url: `${o.url.replace(/\/+$/, '')}${PROMETHEUS_SD_PATH}`,
            refresh_interval: o.refreshInterval ?? '15s',
            authorization: { type: 'Bearer', credentials: o.token },
          },
        ],
      },
    ],
  })
}
