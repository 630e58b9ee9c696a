/**
 * @module cli/exec — `weir exec POD [-c C] [-n NS] -- CMD ...`: runs CMD in the pod's view of the machine (its
 * /etc/hosts through a mount namespace, its container's environment), as kubectl exec does in a cluster.
 */
import { spawn } from 'node:child_process'
import type { Command } from 'commander'
import { sandboxArgv } from '../runtime/net/sandbox.ts'
import { readExecFile, readPodFile } from '../runtime/pod/files.ts'
import { EXIT } from './exit-codes.ts'

interface ExecFlags {
  container?: string
  namespace?: string
  state?: string
}

/** Registers `weir exec`. */
export function register(program: Command): void {
  program
    .command('exec')
    .description('Run a command in a container of a pod (as kubectl exec)')
    .argument('<pod>', 'pod name (or pod/NAME)')
    .argument('<command...>', 'the command and its arguments (after --)')
    .option('-c, --container <name>', 'container (default: the first)')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-i, --stdin', 'pass stdin to the command')
    .option('-t, --tty', 'accepted for kubectl compatibility')
    .option('--state <dir>', 'state directory of `weir up` (env WEIR_STATE; default ./.weir)')
    .action(async (podArg: string, command: string[], flags: ExecFlags) => {
      const state = flags.state ?? process.env.WEIR_STATE ?? '.weir'
      const ns = flags.namespace ?? 'default'
      const name = podArg.replace(/^(pods?|po)\//, '')
      const pod = readPodFile(state, ns, name)
      if (!pod) {
        process.stderr.write(`Error from server (NotFound): pods "${name}" not found\n`)
        process.exitCode = EXIT.FAILED
        return
      }
      const container = flags.container ?? pod.containers[0] ?? ''
      if (!pod.containers.includes(container)) {
        process.stderr.write(
          `error: container ${container} not found in pod ${name}; choose one of: [${pod.containers.join(' ')}]\n`,
        )
        process.exitCode = EXIT.FAILED
        return
      }
      const ctx = readExecFile(state, ns, name, container)
      if (!ctx) {
        process.stderr.write(
          `error: unable to upgrade connection: container ${container} in pod ${name} is not running\n`,
        )
        process.exitCode = EXIT.FAILED
        return
      }
      const standIn = ctx.exec?.[command[0] ?? '']
      const argv = sandboxArgv(
        ctx.sandbox,
        ctx.hostsFile,
        standIn ? [...standIn, ...command.slice(1)] : command,
      )
      const code = await new Promise<number>((resolve) => {
        const child = spawn(argv[0] as string, argv.slice(1), {
          env: ctx.env,
          cwd: ctx.cwd,
          stdio: 'inherit',
        })
        child.on('error', (err) => {
          process.stderr.write(`error: ${err.message}\n`)
          resolve(126)
        })
        child.on('close', (c, signal) => resolve(c ?? (signal ? 128 + 9 : 1)))
      })
      if (code !== 0) {
        process.stderr.write(`command terminated with exit code ${code}\n`)
        process.exitCode = code
      }
    })
}
