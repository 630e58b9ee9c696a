/** @module cli/proxy-status — `weir proxy-status`: each connected proxy and whether it runs the config last pushed. */
import type { Command } from 'commander'
import type { ProxyStatusRow } from '../xds/status.ts'
import { EXIT } from './exit-codes.ts'
import { formatProxyStatus } from './format/proxy-status.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

/** Registers `weir proxy-status` (alias `ps`). */
export function register(program: Command): void {
  const cmd = program
    .command('proxy-status')
    .alias('ps')
    .description(
      'show every connected proxy and whether it is in sync with the control plane (as istioctl proxy-status)',
    )
    .argument('[proxy]', 'only this proxy (<pod>[.<namespace>])')
    .option('-o, --output <format>', 'table or json', 'table')
  withTargetOptions(cmd).action(async (proxy: string | undefined, opts: TargetFlags & { output: string }) => {
    if (opts.output !== 'table' && opts.output !== 'json') {
      process.stderr.write(`error: --output must be table or json, not ${JSON.stringify(opts.output)}\n`)
      process.exitCode = EXIT.USAGE
      return
    }
    const target = resolveTarget(opts)
    if (!target.ok) {
      process.stderr.write(`error: ${target.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const res = await getJson<ProxyStatusRow[]>(target.target, '/debug/proxy-status')
    if (!res.ok) {
      process.stderr.write(`error: ${res.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const id = proxy === undefined ? undefined : proxy.includes('.') ? proxy : `${proxy}.default`
    const rows = id === undefined ? res.body : res.body.filter((r) => r.proxy === id)
    if (id !== undefined && rows.length === 0) {
      process.stderr.write(`error: proxy ${id} is not connected to the control plane\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    process.stdout.write(
      opts.output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatProxyStatus(rows),
    )
  })
}
