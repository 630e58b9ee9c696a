/**
 * @module cli/tls-check — `weir tls-check <pod>[.<ns>] [<service>]`: istioctl's old `authn tls-check`.
 * Live from the running control plane (`--server`/`--token`/`--state`), or offline over files (`-f PATH...`).
 */
import { type Command, Option } from 'commander'
import { loadPaths } from '../api/load.ts'
import type { Resource } from '../api/resource.ts'
import { formatTlsCheck, tlsCheck } from '../compile/security/tls-check.ts'
import { EXIT } from './exit-codes.ts'
import { type TargetFlags, withTargetOptions } from './format/target.ts'
import { liveSource } from './tls-check-live.ts'

/** Where the resources come from: files, or the control plane. Problems are printed to stderr. */
export type ResourceSource = (opts: {
  filenames: string[]
  target?: TargetFlags
}) => Promise<{ resources: Resource[]; problems: string[] } | { error: string; exitCode: number }>

/** Parsed arguments. */
export interface TlsCheckArgs {
  pod: string
  service?: string
  namespace?: string
  rootNamespace?: string
  filenames: string[]
  /** Where the control plane is (live mode, without `-f`). */
  target?: TargetFlags
}

/** Output sinks (process.stdout/stderr by default). */
export interface Io {
  out: (s: string) => void
  err: (s: string) => void
}

/** Reads resources from `-f` files; without files, no source (see {@link fileOrLiveSource}). */
export const fileSource: ResourceSource = async ({ filenames }) => {
  if (filenames.length === 0) {
    return { error: 'no cluster to query yet: pass the config with -f PATH...', exitCode: EXIT.USAGE }
  }
  const loaded = await loadPaths(filenames)
  if (loaded.unreadable) {
    return { error: loaded.diagnostics.map((d) => d.message).join('\n'), exitCode: EXIT.DATA }
  }
  return { resources: loaded.resources, problems: [] }
}

/** `-f` files when given, else the running control plane. */
export const fileOrLiveSource: ResourceSource = (opts) =>
  opts.filenames.length > 0 ? fileSource(opts) : liveSource(opts.target ?? {})(opts)

/** Runs the check and returns the exit code. */
export async function runTlsCheck(args: TlsCheckArgs, source: ResourceSource, io: Io): Promise<number> {
  const dot = args.pod.lastIndexOf('.')
  const podNamespace = dot > 0 ? args.pod.slice(dot + 1) : (args.namespace ?? 'default')
  const got = await source({ filenames: args.filenames, ...(args.target ? { target: args.target } : {}) })
  if ('error' in got) {
    io.err(`error: ${got.error}\n`)
    return got.exitCode
  }
  for (const p of got.problems) io.err(`warning: ${p}\n`)
  const rows = tlsCheck(got.resources, {
    podNamespace,
    defaultNamespace: args.namespace ?? podNamespace,
    ...(args.service ? { service: args.service } : {}),
    ...(args.rootNamespace ? { rootNamespace: args.rootNamespace } : {}),
  })
  if (args.service && rows.length === 0) {
    io.err(`error: service ${args.service} not found\n`)
    return EXIT.FAILED
  }
  io.out(formatTlsCheck(rows))
  return EXIT.OK
}

/** A `register` function reading resources from `source`. */
export function registerTlsCheck(source: ResourceSource): (program: Command) => void {
  return (program) => {
    const cmd = program
      .command('tls-check')
      .description('Check mTLS settings between a pod and the services it calls (istioctl authn tls-check)')
      .argument('<pod>', 'client pod, as <pod>[.<namespace>]')
      .argument('[service]', 'only this service (FQDN, name.namespace or name)')
      .option('-f, --filename <paths...>', 'read config from files or directories instead of the cluster', [])
      .option('-n, --namespace <ns>', 'namespace of the pod, and of resources that name none')
      .addOption(new Option('--root-namespace <ns>', 'mesh root namespace').default('istio-system'))
    withTargetOptions(cmd).action(
      async (pod: string, service: string | undefined, o: Record<string, unknown>) => {
        const args: TlsCheckArgs = {
          pod,
          filenames: (o.filename as string[] | undefined) ?? [],
          rootNamespace: o.rootNamespace as string,
        }
        if (service) args.service = service
        if (typeof o.namespace === 'string') args.namespace = o.namespace
        const target: TargetFlags = {}
        for (const k of ['server', 'token', 'state'] as const) if (typeof o[k] === 'string') target[k] = o[k]
        args.target = target
        process.exitCode = await runTlsCheck(args, source, {
          out: (s) => process.stdout.write(s),
          err: (s) => process.stderr.write(s),
        })
      },
    )
  }
}

/** `weir tls-check`: live, or offline with `-f`. */
export const register: (program: Command) => void = registerTlsCheck(fileOrLiveSource)
