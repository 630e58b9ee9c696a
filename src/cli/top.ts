/** @module cli/top — `weir top`: a refreshing table of the busiest paths, from the proxies' recent spans (as `linkerd viz top`). */
import type { Command } from 'commander'
import { formatTop } from '../observe/format.ts'
import type { TopRow } from '../observe/top.ts'
import { parseWindow } from '../observe/window.ts'
import { EXIT } from './exit-codes.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

/** Registers `weir top`. */
export function register(program: Command): void {
  const cmd = program
    .command('top')
    .description(
      'the busiest paths (source, destination, method, path) over the last minute, refreshed every 2 s',
    )
    .option('-n, --namespace <ns>', 'only requests to this namespace')
    .option('--since <duration>', 'how far back to look', '60s')
    .option('--limit <n>', 'rows', '20')
    .option('--once', 'print one table and exit')
    .option('-o, --output <format>', 'table or json (json implies --once)', 'table')
  withTargetOptions(cmd).action(
    async (
      opts: TargetFlags & {
        namespace?: string
        since: string
        limit: string
        once?: boolean
        output: string
      },
    ) => {
      const usage = (msg: string) => {
        process.stderr.write(`error: ${msg}\n`)
        process.exitCode = EXIT.USAGE
      }
      if (opts.output !== 'table' && opts.output !== 'json') return usage('--output must be table or json')
      const since = parseWindow(opts.since)
      if (!since.ok) return usage(since.error)
      if (!/^\d+$/.test(opts.limit)) return usage(`--limit ${JSON.stringify(opts.limit)}: want a number`)
      const target = resolveTarget(opts)
      if (!target.ok) {
        process.stderr.write(`error: ${target.error}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      const q = new URLSearchParams({ since: opts.since, limit: opts.limit })
      if (opts.namespace) q.set('namespace', opts.namespace)
      const once = opts.once === true || opts.output === 'json' || !process.stdout.isTTY
      for (;;) {
        const res = await getJson<{ rows: TopRow[] }>(target.target, `/observe/v1/top?${q}`)
        if (!res.ok) {
          process.stderr.write(`error: ${res.error}\n`)
          process.exitCode = EXIT.FAILED
          return
        }
        const text =
          opts.output === 'json' ? `${JSON.stringify(res.body.rows, null, 2)}\n` : formatTop(res.body.rows)
        if (once) {
          process.stdout.write(text)
          return
        }
        process.stdout.write(`\x1b[H\x1b[2J${new Date().toISOString()}  (Ctrl-C to quit)\n\n${text}`)
        await new Promise((r) => setTimeout(r, 2000))
      }
    },
  )
}
