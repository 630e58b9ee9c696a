/**
 * @module cli/proxy — `weir proxy --config FILE.json [--admin-port N]`: runs one proxy from a compiled
 * ProxyConfig file. SIGTERM/SIGINT drain (finish in-flight requests, then exit).
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { type ProxyHandle, type ProxyOptions, startProxy } from '../proxy/proxy.ts'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { EXIT } from './exit-codes.ts'

/** Reads a compiled config file; an error names the file and what is wrong. */
export async function readProxyConfigFile(
  file: string,
): Promise<{ config: ProxyConfig } | { error: string }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    return { error: `${file}: cannot read: ${err instanceof Error ? err.message : String(err)}` }
  }
  try {
    return { config: JSON.parse(text) as ProxyConfig }
  } catch (err) {
    return { error: `${file}: not JSON: ${err instanceof Error ? err.message : String(err)}` }
  }
}

/**
 * Starts a proxy from options and wires process signals: SIGTERM/SIGINT drain then resolve `done`.
 * Reusable by `weir up` (sidecars, gateway) and `weir gateway`.
 */
export async function runProxy(
  opts: ProxyOptions & { signals?: boolean },
): Promise<{ proxy: ProxyHandle; done: Promise<void> }> {
  const proxy = await startProxy(opts)
  let finish: () => void = () => {}
  const done = new Promise<void>((r) => {
    finish = r
  })
  if (opts.signals !== false) {
    const onSignal = () => {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      proxy.drain().then(finish, finish)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  }
  return { proxy, done }
}

/** Registers `weir proxy`. */
export function register(program: Command): void {
  program
    .command('proxy')
    .description('Run a Weir proxy (sidecar or gateway) from a compiled ProxyConfig JSON file')
    .requiredOption('--config <file>', 'compiled ProxyConfig (JSON)')
    .option('--admin-port <port>', 'admin port on 127.0.0.1 (default: any free port)')
    .action(async (o: { config: string; adminPort?: string }) => {
      let adminPort = 0
      if (o.adminPort !== undefined) {
        adminPort = Number(o.adminPort)
        if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535) {
          process.stderr.write(`error: --admin-port: ${o.adminPort} is not a port\n`)
          process.exitCode = EXIT.USAGE
          return
        }
      }
      const read = await readProxyConfigFile(o.config)
      if ('error' in read) {
        process.stderr.write(`error: ${read.error}\n`)
        process.exitCode = EXIT.DATA
        return
      }
      let running: Awaited<ReturnType<typeof runProxy>>
      try {
        running = await runProxy({ config: read.config, adminPort })
      } catch (err) {
        process.stderr.write(`error: ${o.config}: ${err instanceof Error ? err.message : String(err)}\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      const { proxy } = running
      const admin = proxy.adminAddress()
      process.stderr.write(`weir proxy ${read.config.node.id}: admin http://${admin.host}:${admin.port}\n`)
      for (const [name, a] of Object.entries(proxy.addresses()))
        process.stderr.write(`  listener ${name} on ${a.host}:${a.port}\n`)
      await running.done
    })
}
