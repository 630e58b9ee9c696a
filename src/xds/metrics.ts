/** @module xds/metrics — the push server's Prometheus metrics, named as istiod names them. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** The metrics of one push server, in their own registry (never the global one). */
export interface PushMetrics {
  registry: Registry
  /** `pilot_xds_pushes{type="config"}`: configs written to proxies. */
  pushes: Counter<'type'>
  /** `pilot_total_xds_rejects{type="config"}`: NACKs received. */
  rejects: Counter<'type'>
  /** `pilot_xds`: proxies connected now. */
  connected: Gauge
  /** `pilot_proxy_convergence_time`: seconds from a config change to the proxy's ACK of the push it caused. */
  convergence: Histogram
}

/** Creates the metrics. */
export function createPushMetrics(): PushMetrics {
  const registry = new Registry()
  return {
    registry,
    pushes: new Counter({
      name: 'pilot_xds_pushes',
      help: 'Pilot build and send errors for lds, rds, cds and eds (here: whole configs pushed).',
      labelNames: ['type'],
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'pilot_total_xds_rejects',
      help: 'Total number of XDS responses from pilot rejected by proxy.',
      labelNames: ['type'],
      registers: [registry],
    }),
    connected: new Gauge({
      name: 'pilot_xds',
      help: 'Number of endpoints connected to this pilot using XDS.',
      registers: [registry],
    }),
    convergence: new Histogram({
      name: 'pilot_proxy_convergence_time',
      help: 'Delay in seconds between config change and a proxy acknowledging all required configuration.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 3, 5, 10, 20, 30],
      registers: [registry],
    }),
  }
}
