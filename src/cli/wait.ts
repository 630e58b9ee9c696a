/** @module cli/wait — `weir wait`: exit 0 once every connected proxy has acked the current config, 1 on timeout. */
import type { Command } from 'commander'
import type { SyncReport } from '../xds/debug-handlers.ts'
import { EXIT } from './exit-codes.ts'
import { parseDuration } from './format/duration.ts'
import { describeNotSynced } from './format/proxy-status.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

const POLL_MS = 10_000

/** Registers `weir wait`. */
export function register(program: Command): void {
  const cmd = program
    .command('wait')
    .description('wait until every connected proxy has acknowledged the current config (exit 1 on timeout)')
    .option('--timeout <duration>', 'how long to wait: 30s, 500ms, 2m', '30s')
  withTargetOptions(cmd).action(async (opts: TargetFlags & { timeout: string }) => {
    const timeoutMs = parseDuration(opts.timeout)
    if (timeoutMs === undefined) {
      process.stderr.write(
        `error: --timeout: not a duration: ${JSON.stringify(opts.timeout)} (e.g. 30s, 500ms)\n`,
      )
      process.exitCode = EXIT.USAGE
      return
    }
    const target = resolveTarget(opts)
    if (!target.ok) {
      process.stderr.write(`error: ${target.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const deadline = Date.now() + timeoutMs
    for (let round = 0; round < 10_000; round++) {
      const wait = Math.max(0, Math.min(POLL_MS, deadline - Date.now()))
      const res = await getJson<SyncReport>(target.target, `/debug/sync?timeoutMs=${wait}`)
      if (!res.ok) {
        process.stderr.write(`error: ${res.error}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      const { converged, proxies } = res.body
      if (converged) {
        process.stdout.write(`${proxies.length} ${proxies.length === 1 ? 'proxy' : 'proxies'} synced\n`)
        process.exitCode = EXIT.OK
        return
      }
      if (Date.now() >= deadline) {
        const pending = res.body.pushPending ? ' (a push is still pending)' : ''
        process.stderr.write(
          `error: timed out after ${opts.timeout}${pending}; not synced:\n${describeNotSynced(proxies)}`,
        )
        process.exitCode = EXIT.FAILED
        return
      }
    }
  })
}
