/**
 * @module cli/up — `weir up [PATH...]`: runs the control plane, the pods of the applied manifests (each with its
 * sidecar) and the ingress gateway on this machine, in the foreground, until Ctrl-C.
 */
import type { Command } from 'commander'
import type { HostAlias } from '../runtime/net/plan.ts'
import { startUp } from '../runtime/up/up.ts'
import { EXIT } from './exit-codes.ts'

interface UpFlags {
  gatewayPort: string
  state?: string
  hostAlias: string[]
  catalog: string[]
  apiPort?: string
}

/** Parses `name=host:port` (port optional). */
export function parseHostAlias(text: string): HostAlias | undefined {
  const m = /^([A-Za-z0-9*.-]+)=([^:=\s]+)(?::(\d{1,5}))?$/.exec(text)
  if (!m) return undefined
  const port = m[3] !== undefined ? Number(m[3]) : undefined
  if (port !== undefined && (port < 1 || port > 65535)) return undefined
  return { name: m[1] as string, host: m[2] as string, ...(port !== undefined ? { port } : {}) }
}

const collect = (v: string, prev: string[]): string[] => [...prev, v]

/** Registers `weir up`. */
export function register(program: Command): void {
  program
    .command('up')
    .description('Run the mesh locally: control plane, pods with sidecars, ingress gateway (foreground)')
    .argument('[paths...]', 'manifests to apply (files or directories)')
    .option('--gateway-port <port>', 'local port of the ingress gateway (0: any free port)', '8080')
    .option('--state <dir>', 'state directory (env WEIR_STATE; default ./.weir)')
    .option(
      '--host-alias <name=host:port>',
      'point an external name at a local server (repeatable)',
      collect,
      [],
    )
    .option('--catalog <file>', 'image catalog file: image → local command (repeatable)', collect, [])
    .option('--api-port <port>', 'control plane API port (default: any free port)')
    .action(async (paths: string[], flags: UpFlags) => {
      const gatewayPort = Number(flags.gatewayPort)
      if (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65535) {
        process.stderr.write(`error: --gateway-port: not a port: ${flags.gatewayPort}\n`)
        process.exitCode = EXIT.USAGE
        return
      }
      const hostAliases: HostAlias[] = []
      for (const a of flags.hostAlias) {
        const parsed = parseHostAlias(a)
        if (!parsed) {
          process.stderr.write(`error: --host-alias ${a}: expected name=host:port\n`)
          process.exitCode = EXIT.USAGE
          return
        }
        hostAliases.push(parsed)
      }
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`)
      }
      const stateDir = flags.state ?? process.env.WEIR_STATE ?? '.weir'
      // Signals during start-up are remembered and honoured as soon as there is something to stop.
      let stop: () => void = () => {}
      let stopRequested = false
      const onSignal = (): void => {
        stopRequested = true
        stop()
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      process.on('SIGHUP', onSignal)
      try {
        const up = await startUp({
          paths,
          stateDir,
          gatewayPort,
          hostAliases,
          catalogs: flags.catalog,
          ...(flags.apiPort !== undefined ? { apiPort: Number(flags.apiPort) } : {}),
          log,
        })
        if (!stopRequested) {
          process.stdout.write(
            `weir up: ready. gateway ${up.gatewayUrl}  api ${up.apiUrl}  token ${up.tokenFile}  (Ctrl-C stops everything)\n`,
          )
        }
        await new Promise<void>((resolve) => {
          let stopping = false
          stop = () => {
            if (stopping) return
            stopping = true
            process.stderr.write('weir up: stopping\n')
            void up.close().then(resolve, resolve)
          }
          if (stopRequested) stop()
        })
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        process.off('SIGHUP', onSignal)
      }
    })
}
