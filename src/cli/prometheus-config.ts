/** @module cli/prometheus-config — `weir prometheus-config`: a Prometheus scrape config that discovers the mesh through the control plane. */
import type { Command } from 'commander'
import { prometheusConfig } from '../observe/prometheus-config.ts'
import { EXIT } from './exit-codes.ts'
import { resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

const DURATION = /^\d+(ms|s|m|h)$/

/** Registers `weir prometheus-config`. */
export function register(program: Command): void {
  const cmd = program
    .command('prometheus-config')
    .description(
      'print a Prometheus config whose http_sd_configs finds every proxy (and the control plane) through the control plane',
    )
    .option('--scrape-interval <duration>', 'scrape_interval', '15s')
    .option('--refresh-interval <duration>', 'how often Prometheus asks the control plane for targets', '15s')
    .option('--job-name <name>', 'job_name', 'weir-mesh')
  withTargetOptions(cmd).action(
    (opts: TargetFlags & { scrapeInterval: string; refreshInterval: string; jobName: string }) => {
      for (const [flag, v] of [
        ['--scrape-interval', opts.scrapeInterval],
        ['--refresh-interval', opts.refreshInterval],
      ] as const) {
        if (!DURATION.test(v)) {
          process.stderr.write(`error: ${flag} ${JSON.stringify(v)}: want a duration like 15s or 1m\n`)
          process.exitCode = EXIT.USAGE
          return
        }
      }
      const target = resolveTarget(opts)
      if (!target.ok) {
        process.stderr.write(`error: ${target.error}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      process.stdout.write(
        prometheusConfig({
          ...target.target,
          scrapeInterval: opts.scrapeInterval,
          refreshInterval: opts.refreshInterval,
          jobName: opts.jobName,
        }),
      )
    },
  )
}
