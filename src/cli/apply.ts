/** @module cli/apply — `weir apply -f FILE|DIR|-`: create or update, printing `kind.group/name created|configured|unchanged`. */
import type { Command } from 'commander'
import { APPLY_OUTCOME_HEADER } from '../controlplane/api/handler.ts'
import { EXIT } from './exit-codes.ts'
import { addClientOptions, type ClientFlags, connect } from './kube/client.ts'
import { loadManifests, refusal } from './kube/manifests.ts'
import { kindDisplay, objectPath } from './kube/resources.ts'
import { collect, runVerb, stdio, UsageError } from './kube/run.ts'

interface ApplyFlags extends ClientFlags {
  filename?: string[]
  selector?: string
  dryRun?: string
}

/** Parses `--dry-run[=none|client|server]`. */
export function dryRunMode(v: string | undefined): 'none' | 'client' | 'server' {
  if (v === undefined || v === 'none' || v === 'false') return 'none'
  if (v === 'client' || v === 'true' || v === '') return 'client'
  if (v === 'server') return 'server'
  throw new UsageError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`)
}

/** Suffix kubectl prints for dry runs. */
export function dryRunSuffix(mode: 'none' | 'client' | 'server'): string {
  return mode === 'none' ? '' : mode === 'client' ? ' (dry run)' : ' (server dry run)'
}

async function apply(flags: ApplyFlags): Promise<number> {
  if (!flags.filename?.length) throw new UsageError('must specify one of -f and -k')
  const mode = dryRunMode(flags.dryRun)
  const client = connect(flags)
  const { manifests, failed } = await loadManifests(
    flags.filename,
    { namespace: flags.namespace, selector: flags.selector },
    stdio.err,
  )
  let ok = !failed
  for (const m of manifests) {
    const path = objectPath(m.info, m.object.metadata.namespace, m.object.metadata.name, m.object.apiVersion)
    const name = `${kindDisplay(m.info)}/${m.object.metadata.name}`
    if (mode === 'client') {
      const got = await client.request('GET', path)
      stdio.out(`${name} ${got.status === 404 ? 'created' : 'configured'}${dryRunSuffix(mode)}\n`)
      continue
    }
    const res = await client.request('PATCH', path, {
      body: m.object,
      contentType: 'application/apply-patch+yaml',
      query: { dryRun: mode === 'server' ? 'All' : undefined },
    })
    if (res.status === 200 || res.status === 201) {
      const outcome = res.headers.get(APPLY_OUTCOME_HEADER) ?? (res.status === 201 ? 'created' : 'configured')
      stdio.out(`${name} ${outcome}${dryRunSuffix(mode)}\n`)
    } else {
      ok = false
      for (const line of refusal(m, res, 'applying')) stdio.err(line)
    }
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

/** Registers `weir apply`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('apply')
      .description('Apply configuration to resources from files, directories or stdin (-f -)')
      .option('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
      .option('-l, --selector <selector>', 'only objects with these labels (app=x,version in (v1,v2))')
      .option('--dry-run [mode]', 'client or server: show what would happen, change nothing'),
  ).action((flags: ApplyFlags) => runVerb(() => apply(flags)))
}
