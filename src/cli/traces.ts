/** @module cli/traces — `weir traces`: recent traces the proxies exported to the control plane, each the chain of hops of one request. */
import type { Command } from 'commander'
import { formatTraces } from '../observe/format.ts'
import type { TraceSummary } from '../observe/trace-store.ts'
import { EXIT } from './exit-codes.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

/** Registers `weir traces`. */
export function register(program: Command): void {
  const cmd = program
    .command('traces')
    .description(
      'recent traces: each request’s hops through the proxies with timings, response flags and the route taken',
    )
    .option('--limit <n>', 'how many traces (newest first)', '10')
    .option('-o, --output <format>', 'table or json', 'table')
  withTargetOptions(cmd).action(async (opts: TargetFlags & { limit: string; output: string }) => {
    if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) {
      process.stderr.write(`error: --limit ${JSON.stringify(opts.limit)}: want a positive number\n`)
      process.exitCode = EXIT.USAGE
      return
    }
    if (opts.output !== 'table' && opts.output !== 'json') {
      process.stderr.write('error: --output must be table or json\n')
      process.exitCode = EXIT.USAGE
      return
    }
    const target = resolveTarget(opts)
    if (!target.ok) {
      process.stderr.write(`error: ${target.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const res = await getJson<{ traces: TraceSummary[] }>(
      target.target,
      `/observe/v1/traces?limit=${opts.limit}`,
    )
    if (!res.ok) {
      process.stderr.write(`error: ${res.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    process.stdout.write(
      opts.output === 'json'
        ? `${JSON.stringify(res.body.traces, null, 2)}\n`
        : formatTraces(res.body.traces),
    )
  })
}
