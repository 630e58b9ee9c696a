/** @module cli/describe — `weir describe KIND [NAME…]`: a readable, kubectl-like description. */
import type { Command } from 'commander'
import type { KubeObject } from '../controlplane/store/types.ts'
import { EXIT } from './exit-codes.ts'
import { parseTargets, UnknownKindError } from './kube/args.ts'
import { addClientOptions, type ClientFlags, connect } from './kube/client.ts'
import { describeObject } from './kube/describe.ts'
import { collectionPath, objectPath, serverError } from './kube/resources.ts'
import { runVerb, stdio } from './kube/run.ts'

interface DescribeFlags extends ClientFlags {
  selector?: string
  allNamespaces?: boolean
}

async function describe(args: string[], flags: DescribeFlags): Promise<number> {
  const targets = parseTargets(args)
  const client = connect(flags)
  const ns = flags.namespace ?? 'default'
  let ok = true
  const found: KubeObject[] = []
  for (const { info, names } of targets.groups) {
    if (names.length > 0) {
      for (const n of names) {
        const res = await client.request('GET', objectPath(info, ns, n))
        if (res.status === 200) found.push(res.body as KubeObject)
        else {
          stdio.err(serverError(res))
          ok = false
        }
      }
      continue
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
    if (items.length === 0)
      stdio.err(where ? `No resources found in ${where} namespace.` : 'No resources found')
    found.push(...items)
  }
  stdio.out(found.map(describeObject).join('\n\n'))
  return ok ? EXIT.OK : EXIT.FAILED
}

/** Registers `weir describe`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('describe')
      .description('Show details of resources (pods: containers with images, including istio-proxy)')
      .argument('[args...]', 'KIND [NAME…] or KIND/NAME…')
      .option('-l, --selector <selector>', 'label selector')
      .option('-A, --all-namespaces', 'across every namespace'),
  ).action((args: string[], flags: DescribeFlags) =>
    runVerb(async () => {
      try {
        return await describe(args, flags)
      } catch (err) {
        if (!(err instanceof UnknownKindError)) throw err
        stdio.err(`error: ${err.message}`)
        return EXIT.FAILED
      }
    }),
  )
}
