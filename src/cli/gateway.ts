/**
 * @module cli/gateway — `weir gateway -f DIR --port N`: an Istio-configured edge proxy with no mesh.
 * Gateway, VirtualService, DestinationRule and ServiceEntry (static endpoints) are compiled offline
 * and served. SIGHUP (or a change to the files, with --watch) reloads; a config with errors is
 * refused and the last good one keeps serving.
 */
import { watch } from 'node:fs'
import type { Command } from 'commander'
import { type Diagnostic, formatSource } from '../api/diagnostics.ts'
import { loadPaths } from '../api/load.ts'
import { validateResource } from '../api/validate.ts'
import { compileProxy } from '../compile/compile-proxy.ts'
import { ingressGatewayNode } from '../compile/node.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import type { Listener, ProxyConfig } from '../proxyconfig/types.ts'
import { EXIT } from './exit-codes.ts'
import { runProxy } from './proxy.ts'

interface Options {
  filename: string[]
  port: string
  host: string
  namespace: string
  adminPort: string
  watch?: boolean
}

/** Compiles the gateway's config from files, or says why not (every error, with file and line). */
export async function compileGateway(
  paths: readonly string[],
  namespace: string,
): Promise<{ config: ProxyConfig; warnings: Diagnostic[] } | { errors: Diagnostic[]; unreadable: boolean }> {
  const loaded = await loadPaths(paths)
  const diags = [...loaded.diagnostics, ...loaded.resources.flatMap((r) => validateResource(r))]
  const errors = diags.filter((d) => d.severity === 'Error')
  if (errors.length > 0) return { errors, unreadable: loaded.unreadable }
  const snapshot = buildSnapshot(loaded.resources, { namespace })
  const { config, diagnostics } = compileProxy(snapshot, ingressGatewayNode())
  return { config, warnings: [...diags, ...diagnostics] }
}

function print(d: Diagnostic): string {
  const where = formatSource(d.source)
  return `${d.severity.toLowerCase()}: ${where ? `${where} ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}`
}

/** Gateway servers on port 80 or 8080 are served at `--port`; every other server port at its own number. */
function bindFor(host: string, port: number): (l: Listener) => { host: string; port: number } {
  return (l) => ({ host, port: l.port === 80 || l.port === 8080 ? port : l.port })
}

function parsePort(v: string, flag: string): number | undefined {
  const n = Number(v)
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n
  process.stderr.write(`error: ${flag}: ${v} is not a port\n`)
  process.exitCode = EXIT.USAGE
  return undefined
}

async function run(o: Options): Promise<void> {
  if (o.filename.length === 0) {
    process.stderr.write('error: -f/--filename is required\n')
    process.exitCode = EXIT.USAGE
    return
  }
  const port = parsePort(o.port, '--port')
  const adminPort = parsePort(o.adminPort, '--admin-port')
  if (port === undefined || adminPort === undefined) return
  const first = await compileGateway(o.filename, o.namespace)
  if ('errors' in first) {
    for (const d of first.errors) process.stderr.write(`${print(d)}\n`)
    process.exitCode = first.unreadable ? EXIT.DATA : EXIT.FAILED
    return
  }
  for (const d of first.warnings.filter((x) => x.severity === 'Warning'))
    process.stderr.write(`${print(d)}\n`)
  const { proxy, done } = await runProxy({ config: first.config, adminPort, bind: bindFor(o.host, port) })
  await proxy.listenersSettled()
  for (const [name, e] of Object.entries(proxy.listenerErrors()))
    process.stderr.write(`error: listener ${name}: ${e}\n`)
  for (const [name, a] of Object.entries(proxy.addresses()))
    process.stdout.write(`weir gateway: listener ${name} on http://${a.host}:${a.port}\n`)
  const admin = proxy.adminAddress()
  process.stdout.write(
    `weir gateway: ready (config ${first.config.version}; admin http://${admin.host}:${admin.port})\n`,
  )

  let reloading = Promise.resolve()
  const reload = (): void => {
    reloading = reloading.then(async () => {
      const next = await compileGateway(o.filename, o.namespace)
      if ('errors' in next) {
        const lines = next.errors.map((d) => `  ${print(d)}\n`).join('')
        process.stderr.write(`weir gateway: config refused, still serving the last good one:\n${lines}`)
        return
      }
      const applied = proxy.applyConfig(next.config)
      if (applied.ok) process.stdout.write(`weir gateway: config ${next.config.version} applied\n`)
      else process.stderr.write(`weir gateway: config refused by the proxy: ${applied.error}\n`)
    })
  }
  process.on('SIGHUP', reload)
  const watchers = o.watch
    ? o.filename.map((p) => {
        let timer: NodeJS.Timeout | undefined
        return watch(p, { recursive: true }, () => {
          clearTimeout(timer)
          timer = setTimeout(reload, 200)
        })
      })
    : []
  await done
  process.off('SIGHUP', reload)
  for (const w of watchers) w.close()
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v]
}

/** Registers `weir gateway`. */
export function register(program: Command): void {
  program
    .command('gateway')
    .description('Run an Istio-configured edge proxy from manifests, with no control plane (SIGHUP reloads)')
    .option('-f, --filename <path>', 'YAML/JSON file or directory (repeatable)', collect, [])
    .option('--port <port>', 'where Gateway servers on port 80/8080 are served (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('-n, --namespace <ns>', 'namespace of resources that name none', 'default')
    .option('--admin-port <port>', 'admin port on 127.0.0.1 (0: any free port)', '0')
    .option('--watch', 'reload when the files change')
    .action(run)
}
