/** @module cli/logs — `weir logs POD [-c C] [-l sel] [-f] [-n NS]`: a container's output, from `weir up`'s state dir. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import type { Command } from 'commander'
import { logFile, readPodFile, readPodFiles } from '../runtime/pod/files.ts'
import { parseSelector } from '../runtime/pod/selector.ts'
import { EXIT } from './exit-codes.ts'

interface LogsFlags {
  container?: string
  selector?: string
  follow?: boolean
  namespace?: string
  state?: string
  prefix?: boolean
  tail?: string
}

/** Copies a file's bytes from `offset` to stdout; returns the new offset. */
function pump(file: string, offset: number, prefix: string): number {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return offset
  }
  if (size < offset) offset = 0
  if (size === offset) return offset
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(Math.min(size - offset, 1 << 20))
  const n = readSync(fd, buf, 0, buf.length, offset)
  closeSync(fd)
  const text = buf.subarray(0, n).toString('utf8')
  process.stdout.write(prefix ? text.replace(/^(?=.)/gm, prefix) : text)
  return offset + n
}

function tailOffset(file: string, lines: number): number {
  if (lines < 0 || !existsSync(file)) return 0
  const text = statSync(file).size < 8 << 20 ? readAll(file) : Buffer.alloc(0)
  let count = 0
  for (let i = text.length - 2; i >= 0; i--) {
    if (text[i] === 10 && ++count === lines) return i + 1
  }
  return 0
}

function readAll(file: string): Buffer {
  const fd = openSync(file, 'r')
  const size = statSync(file).size
  const buf = Buffer.alloc(size)
  readSync(fd, buf, 0, size, 0)
  closeSync(fd)
  return buf
}

/** Registers `weir logs`. */
export function register(program: Command): void {
  program
    .command('logs')
    .description('Print the logs of a container in a pod (as kubectl logs)')
    .argument('[pod]', 'pod name (or pod/NAME)')
    .option('-c, --container <name>', 'container (default: the first)')
    .option('-l, --selector <selector>', 'label selector: logs of every matching pod')
    .option('-f, --follow', 'keep printing new output')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--prefix', 'prefix each line with [pod/NAME/CONTAINER]')
    .option('--tail <lines>', 'lines of recent output to show (-1: all)', '-1')
    .option('--state <dir>', 'state directory of `weir up` (env WEIR_STATE; default ./.weir)')
    .action(async (podArg: string | undefined, flags: LogsFlags) => {
      const state = flags.state ?? process.env.WEIR_STATE ?? '.weir'
      const ns = flags.namespace ?? 'default'
      const targets: { pod: string; container: string }[] = []
      if (flags.selector !== undefined) {
        const match = parseSelector(flags.selector)
        if (!match) {
          process.stderr.write(`error: invalid label selector "${flags.selector}"\n`)
          process.exitCode = EXIT.USAGE
          return
        }
        for (const p of readPodFiles(state, ns).filter((p) => match(p.labels))) {
          const c = flags.container ?? p.containers[0]
          if (c && p.containers.includes(c)) targets.push({ pod: p.name, container: c })
        }
        if (targets.length === 0) {
          process.stderr.write(`No resources found in ${ns} namespace.\n`)
          return
        }
      } else {
        if (!podArg) {
          process.stderr.write('error: expected POD or -l selector\n')
          process.exitCode = EXIT.USAGE
          return
        }
        const name = podArg.replace(/^(pods?|po)\//, '')
        const p = readPodFile(state, ns, name)
        if (!p) {
          process.stderr.write(`Error from server (NotFound): pods "${name}" not found\n`)
          process.exitCode = EXIT.FAILED
          return
        }
        const c = flags.container ?? p.containers[0]
        if (!c || !p.containers.includes(c)) {
          process.stderr.write(
            `error: container ${c} is not valid for pod ${name}; choose one of: [${p.containers.join(' ')}]\n`,
          )
          process.exitCode = EXIT.FAILED
          return
        }
        if (!flags.container && p.containers.length > 1)
          process.stderr.write(`Defaulted container "${c}" out of: ${p.containers.join(', ')}\n`)
        targets.push({ pod: p.name, container: c })
      }
      const tail = Number(flags.tail ?? -1)
      const files = targets.map((t) => {
        const file = logFile(state, ns, t.pod, t.container)
        return {
          file,
          offset: tailOffset(file, tail),
          prefix: flags.prefix ? `[pod/${t.pod}/${t.container}] ` : '',
        }
      })
      for (const f of files) f.offset = pump(f.file, f.offset, f.prefix)
      if (!flags.follow) return
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          for (const f of files) f.offset = pump(f.file, f.offset, f.prefix)
        }, 200)
        const stop = (): void => {
          clearInterval(timer)
          resolve()
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
    })
}
