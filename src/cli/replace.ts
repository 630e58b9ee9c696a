/** @module cli/replace — `weir replace -f …`: replace whole objects (a stale resourceVersion is a conflict). */
import type { Command } from 'commander'
import { EXIT } from './exit-codes.ts'
import { addClientOptions, type ClientFlags, connect } from './kube/client.ts'
import { loadManifests, refusal } from './kube/manifests.ts'
import { kindDisplay, objectPath } from './kube/resources.ts'
import { collect, runVerb, stdio, UsageError } from './kube/run.ts'

interface ReplaceFlags extends ClientFlags {
  filename?: string[]
  force?: boolean
}

async function replace(flags: ReplaceFlags): Promise<number> {
  if (!flags.filename?.length) throw new UsageError('must specify --filename to replace')
  const client = connect(flags)
  const { manifests, failed } = await loadManifests(flags.filename, { namespace: flags.namespace }, stdio.err)
  let ok = !failed
  for (const m of manifests) {
    const path = objectPath(m.info, m.object.metadata.namespace, m.object.metadata.name, m.object.apiVersion)
    const name = `${kindDisplay(m.info)}/${m.object.metadata.name}`
    if (flags.force) {
      await client.request('DELETE', path)
      delete m.object.metadata.resourceVersion
      const res = await client.request('POST', path.slice(0, path.lastIndexOf('/')), { body: m.object })
      if (res.status === 201) stdio.out(`${name} replaced\n`)
      else {
        ok = false
        for (const line of refusal(m, res, 'replacing')) stdio.err(line)
      }
      continue
    }
    const res = await client.request('PUT', path, { body: m.object })
    if (res.status === 200) stdio.out(`${name} replaced\n`)
    else {
      ok = false
      for (const line of refusal(m, res, 'replacing')) stdio.err(line)
    }
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

/** Registers `weir replace`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('replace')
      .description(
        'Replace resources by file or stdin (-f -), e.g. `weir get … -o yaml | sed … | weir replace -f -`',
      )
      .option('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
      .option('--force', 'delete and re-create'),
  ).action((flags: ReplaceFlags) => runVerb(() => replace(flags)))
}
