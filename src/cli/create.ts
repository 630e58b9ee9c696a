/** @module cli/create — `weir create -f …` and `weir create namespace NAME`. */
import type { Command } from 'commander'
import { lookupKind } from '../api/kinds.ts'
import { LAST_APPLIED } from '../controlplane/store/store.ts'
import type { KubeObject } from '../controlplane/store/types.ts'
import { dryRunMode, dryRunSuffix } from './apply.ts'
import { EXIT } from './exit-codes.ts'
import { addClientOptions, type ClientFlags, connect } from './kube/client.ts'
import { loadManifests, refusal } from './kube/manifests.ts'
import { collectionPath, kindDisplay, serverError } from './kube/resources.ts'
import { collect, runVerb, stdio, UsageError } from './kube/run.ts'

interface CreateFlags extends ClientFlags {
  filename?: string[]
  saveConfig?: boolean
  dryRun?: string
}

function withSavedConfig(obj: KubeObject): void {
  const copy = structuredClone(obj)
  obj.metadata.annotations = {
    ...(obj.metadata.annotations ?? {}),
    [LAST_APPLIED]: `${JSON.stringify(copy)}\n`,
  }
}

async function createFromFiles(flags: CreateFlags): Promise<number> {
  const mode = dryRunMode(flags.dryRun)
  const client = connect(flags)
  const { manifests, failed } = await loadManifests(
    flags.filename ?? [],
    { namespace: flags.namespace },
    stdio.err,
  )
  let ok = !failed
  for (const m of manifests) {
    if (flags.saveConfig) withSavedConfig(m.object)
    const name = `${kindDisplay(m.info)}/${m.object.metadata.name}`
    if (mode === 'client') {
      stdio.out(`${name} created${dryRunSuffix(mode)}\n`)
      continue
    }
    const res = await client.request(
      'POST',
      collectionPath(m.info, m.object.metadata.namespace, m.object.apiVersion),
      {
        body: m.object,
        query: { dryRun: mode === 'server' ? 'All' : undefined },
      },
    )
    if (res.status === 201 || res.status === 200) stdio.out(`${name} created${dryRunSuffix(mode)}\n`)
    else {
      ok = false
      for (const line of refusal(m, res, 'creating')) stdio.err(line)
    }
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

async function createNamespace(name: string, flags: CreateFlags): Promise<number> {
  const mode = dryRunMode(flags.dryRun)
  const info = lookupKind('v1', 'Namespace')!
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }
  if (flags.saveConfig) withSavedConfig(obj)
  if (mode === 'client') {
    stdio.out(`namespace/${name} created${dryRunSuffix(mode)}\n`)
    return EXIT.OK
  }
  const res = await connect(flags).request('POST', collectionPath(info, undefined), {
    body: obj,
    query: { dryRun: mode === 'server' ? 'All' : undefined },
  })
  if (res.status !== 201) {
    stdio.err(serverError(res))
    return EXIT.FAILED
  }
  stdio.out(`namespace/${name} created${dryRunSuffix(mode)}\n`)
  return EXIT.OK
}

/** Registers `weir create`. */
export function register(program: Command): void {
  const create = addClientOptions(
    program
      .command('create')
      .description('Create resources from files or stdin; fails for any that already exist')
      .option('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
      .option('--save-config', 'record the configuration for later `weir apply`')
      .option('--dry-run [mode]', 'client or server: show what would happen, change nothing'),
  ).action((flags: CreateFlags) =>
    runVerb(async () => {
      if (!flags.filename?.length) throw new UsageError('must specify one of -f and -k')
      return createFromFiles(flags)
    }),
  )
  addClientOptions(
    create
      .command('namespace')
      .alias('ns')
      .description('Create a namespace')
      .argument('<name>', 'the namespace')
      .option('--save-config', 'record the configuration for later `weir apply`')
      .option('--dry-run [mode]', 'client or server: show what would happen, change nothing'),
  ).action((name: string, flags: CreateFlags) => runVerb(() => createNamespace(name, flags)))
}
