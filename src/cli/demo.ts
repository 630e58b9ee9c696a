/**
 * @module cli/demo — `weir demo` (what `npm start` runs): `weir up` on Istio's Bookinfo from `examples/`, then the
 * gateway URL and five commands to try. Needs nothing but Node: Bookinfo's services run as Node stand-ins.
 */
import { spawn } from 'node:child_process'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { EXIT } from './exit-codes.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const WEIR_BIN = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))
const EXAMPLE = fileURLToPath(new URL('../../examples/istio-samples/', import.meta.url))

/** The manifests the demo starts with: the namespace label, Bookinfo, its gateway. */
export const DEMO_FILES = [
  'weir/namespace-default.yaml',
  'samples/bookinfo/platform/kube/bookinfo.yaml',
  'samples/bookinfo/networking/bookinfo-gateway.yaml',
].map((f) => `${EXAMPLE}${f}`)

/** The five commands printed once the mesh is up; paths relative to `cwd`. */
export function demoCommands(gatewayUrl: string, cwd: string): string[] {
  const net = relative(cwd, `${EXAMPLE}samples/bookinfo/networking`) || '.'
  const productpage = "$(npx weir get pods -l app=productpage -o jsonpath='{.items[0].metadata.name}')"
  return [
    `curl -s ${gatewayUrl}/productpage | grep -o '<title>.*</title>'`,
    'npx weir get pods',
    'npx weir proxy-status',
    `npx weir explain --from ${productpage} --url http://reviews:9080/reviews/0`,
    `npx weir apply -f ${net}/destination-rule-all.yaml -f ${net}/virtual-service-reviews-90-10.yaml` +
      `   # the canary: reload ${gatewayUrl}/productpage, 1 in 10 pages shows black stars (reviews v2)`,
  ]
}

interface DemoFlags {
  gatewayPort: string
  state?: string
}

/** Registers `weir demo`. */
export function register(program: Command): void {
  program
    .command('demo')
    .description("Start the mesh with Istio's Bookinfo (what `npm start` runs) and print commands to try")
    .option('--gateway-port <port>', 'local port of the ingress gateway (0: any free port)', '8080')
    .option('--state <dir>', 'state directory (env WEIR_STATE; default ./.weir)')
    .action(async (flags: DemoFlags) => {
      const port = Number(flags.gatewayPort)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`error: --gateway-port: not a port: ${flags.gatewayPort}\n`)
        process.exitCode = EXIT.USAGE
        return
      }
      const state = flags.state ?? process.env.WEIR_STATE ?? '.weir'
      process.exitCode = await runDemo(port, state)
    })
}

/** Runs `weir up` on the demo files in the foreground until it exits; returns its exit code. */
function runDemo(port: number, state: string): Promise<number> {
  process.stdout.write("weir demo: starting the mesh with Istio's Bookinfo (Ctrl-C stops everything)…\n")
  const child = spawn(
    process.execPath,
    [WEIR_BIN, 'up', '--gateway-port', String(port), '--state', state, ...DEMO_FILES],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
  )
  // Ctrl-C in a terminal reaches both processes; a signal sent to the demo alone is passed on. Either way the
  // demo waits for `weir up` to stop its children (it stops once, however many signals it gets).
  const onInt = (): void => {
    child.kill('SIGINT')
  }
  const onTerm = (): void => {
    child.kill('SIGTERM')
  }
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  let buffered = ''
  let ready = false
  child.stdout?.on('data', (chunk: Buffer) => {
    if (ready) {
      process.stdout.write(chunk)
      return
    }
    buffered += chunk.toString()
    const gateway = /weir up: ready\. gateway (\S+)/.exec(buffered)?.[1]
    if (gateway === undefined) return
    ready = true
    printReady(gateway, state)
  })
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`weir demo: cannot start weir up: ${err.message}\n`)
    })
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      if (!ready && buffered) process.stdout.write(buffered)
      resolve(code ?? (signal ? EXIT.FAILED : EXIT.OK))
    })
  })
}

function printReady(gatewayUrl: string, state: string): void {
  const cwd = process.cwd()
  const stateNote = state === '.weir' ? '' : ` (with WEIR_STATE=${state} for the weir commands)`
  const lines = [
    '',
    `Bookinfo is up: ${gatewayUrl}/productpage`,
    '',
    `Try, in another terminal in ${relative(ROOT, cwd) === '' ? 'this folder' : cwd}${stateNote}:`,
    ...demoCommands(gatewayUrl, cwd).map((c, i) => `  ${i + 1}. ${c}`),
    '',
    'The walk-throughs of all five tutorials are in examples/README.md. Ctrl-C stops the mesh.',
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}
