/** @module cli/stat — `weir stat deploy|svc|pod [NAME]`: golden metrics per workload, service or pod, without Prometheus (as `linkerd viz stat`). */
import type { Command } from 'commander'
import { formatStat } from '../observe/format.ts'
import type { StatRow } from '../observe/stat.ts'
import { parseWindow } from '../observe/window.ts'
import { EXIT } from './exit-codes.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

const KINDS = new Set([
  'deploy',
  'deployment',
  'deployments',
  'svc',
  'service',
  'services',
  'po',
  'pod',
  'pods',
])

/** Registers `weir stat`. */
export function register(program: Command): void {
  const cmd = program
    .command('stat')
    .description(
      'success rate, requests per second, latency percentiles and open TCP connections per workload (deploy), service (svc) or pod, from the proxies’ own metrics',
    )
    .argument('<kind>', 'deploy, svc or pod (also kind/name)')
    .argument('[name]', 'only this one')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-w, --window <duration>', 'time window (0: totals since each proxy started)', '30s')
    .option('-o, --output <format>', 'table or json', 'table')
  withTargetOptions(cmd).action(
    async (
      kindArg: string,
      nameArg: string | undefined,
      opts: TargetFlags & { namespace: string; allNamespaces?: boolean; window: string; output: string },
    ) => {
      const usage = (msg: string) => {
        process.stderr.write(`error: ${msg}\n`)
        process.exitCode = EXIT.USAGE
      }
      const [kind, slashName] = kindArg.split('/', 2) as [string, string | undefined]
      const name = slashName ?? nameArg
      if (!KINDS.has(kind)) return usage(`kind ${JSON.stringify(kind)}: want deploy, svc or pod`)
      if (opts.output !== 'table' && opts.output !== 'json') return usage('--output must be table or json')
      const window = parseWindow(opts.window)
      if (!window.ok) return usage(window.error)
      const target = resolveTarget(opts)
      if (!target.ok) {
        process.stderr.write(`error: ${target.error}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      const q = new URLSearchParams({ kind, window: opts.window })
      if (name) q.set('name', name)
      if (!opts.allNamespaces) q.set('namespace', opts.namespace)
      const res = await getJson<{ rows: StatRow[]; errors: string[] }>(target.target, `/observe/v1/stat?${q}`)
      if (!res.ok) {
        process.stderr.write(`error: ${res.error}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      for (const e of res.body.errors) process.stderr.write(`warning: ${e}\n`)
      process.stdout.write(
        opts.output === 'json'
          ? `${JSON.stringify(res.body.rows, null, 2)}\n`
          : formatStat(res.body.rows, opts.allNamespaces === true),
      )
    },
  )
}
