/** @module cli/delete — `weir delete -f …`, `weir delete KIND NAME…`, `-l`, `--all`, `--ignore-not-found`. */
import type { Command } from 'commander'
import type { KindInfo } from '../api/kinds.ts'
import type { KubeObject } from '../controlplane/store/types.ts'
import { EXIT } from './exit-codes.ts'
import { parseTargets, UnknownKindError } from './kube/args.ts'
import { addClientOptions, type ClientFlags, connect, type KubeClient } from './kube/client.ts'
import { loadManifests } from './kube/manifests.ts'
import { collectionPath, kindDisplay, objectPath, serverError } from './kube/resources.ts'
import { collect, runVerb, stdio, UsageError } from './kube/run.ts'

interface DeleteFlags extends ClientFlags {
  filename?: string[]
  selector?: string
  all?: boolean
  ignoreNotFound?: boolean
  allNamespaces?: boolean
}

async function deleteOne(
  client: KubeClient,
  info: KindInfo,
  ns: string | undefined,
  name: string,
  flags: DeleteFlags,
  file?: string,
): Promise<boolean> {
  const res = await client.request('DELETE', objectPath(info, ns, name))
  if (res.status === 200) {
    stdio.out(`${kindDisplay(info)} "${name}" deleted\n`)
    return true
  }
  if (res.status === 404 && flags.ignoreNotFound) return true
  stdio.err(serverError(res, file !== undefined ? `error when deleting "${file}"` : undefined))
  return false
}

async function deleteFiles(client: KubeClient, flags: DeleteFlags): Promise<number> {
  const { manifests, failed } = await loadManifests(
    flags.filename ?? [],
    { namespace: flags.namespace, selector: flags.selector },
    stdio.err,
  )
  let ok = !failed
  // Kubernetes deletes a namespace's contents in the background, so deleting a file that lists the
  // namespace first still deletes the rest cleanly; here namespaces go last for the same outcome.
  const isNs = (m: (typeof manifests)[number]): boolean => m.info.group === '' && m.info.kind === 'Namespace'
  for (const m of [...manifests.filter((x) => !isNs(x)), ...manifests.filter(isNs)]) {
    const done = await deleteOne(
      client,
      m.info,
      m.object.metadata.namespace,
      m.object.metadata.name,
      flags,
      m.file,
    )
    ok &&= done
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

async function deleteArgs(client: KubeClient, args: string[], flags: DeleteFlags): Promise<number> {
  const targets = parseTargets(args)
  let ok = true
  const ns = flags.namespace ?? 'default'
  for (const { info, names } of targets.groups) {
    if (names.length > 0) {
      for (const n of names) ok = (await deleteOne(client, info, ns, n, flags)) && ok
      continue
    }
    if (!flags.all && !flags.selector) {
      throw new UsageError(`resource(s) were provided, but no name was specified`)
    }
    const where = info.namespaced && !flags.allNamespaces ? ns : undefined
    const res = await client.request('GET', collectionPath(info, where), {
      query: { labelSelector: flags.selector },
    })
    if (res.status !== 200) {
      stdio.err(serverError(res))
      ok = false
      continue
    }
    const items = (res.body as { items: KubeObject[] }).items
    if (items.length === 0) {
      stdio.out(where ? `No resources found in ${where} namespace.\n` : 'No resources found\n')
    }
    for (const o of items)
      ok = (await deleteOne(client, info, o.metadata.namespace, o.metadata.name, flags)) && ok
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

/** Registers `weir delete`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('delete')
      .description('Delete resources by file (-f), by kind and names, or by label selector')
      .argument('[args...]', 'KIND NAME…, or KIND/NAME…')
      .option('-f, --filename <path>', 'file, directory or - (repeatable)', collect)
      .option('-l, --selector <selector>', 'delete the objects with these labels')
      .option('--all', 'delete every object of the kind in the namespace')
      .option('-A, --all-namespaces', 'with --all or -l: in every namespace')
      .option('--ignore-not-found', 'treat "not found" as a successful delete'),
  ).action((args: string[], flags: DeleteFlags) =>
    runVerb(async () => {
      const client = connect(flags)
      if (flags.filename?.length) {
        if (args.length > 0) throw new UsageError('cannot give both -f and resource names')
        return deleteFiles(client, flags)
      }
      try {
        return await deleteArgs(client, args, flags)
      } catch (err) {
        if (!(err instanceof UnknownKindError)) throw err
        stdio.err(`error: ${err.message}`)
        return EXIT.FAILED
      }
    }),
  )
}
