/** @module cli/label — `weir label KIND NAME key=value… key-` with `--overwrite`, printing `namespace/voting labeled`. */
import type { Command } from 'commander'
import type { KubeObject } from '../controlplane/store/types.ts'
import { EXIT } from './exit-codes.ts'
import { parseTargets, UnknownKindError } from './kube/args.ts'
import { addClientOptions, type ClientFlags, connect } from './kube/client.ts'
import { kindDisplay, objectPath, serverError } from './kube/resources.ts'
import { runVerb, stdio, UsageError } from './kube/run.ts'

interface LabelFlags extends ClientFlags {
  overwrite?: boolean
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Splits the arguments into resource arguments and label changes (`k=v` sets, `k-` removes). */
export function parseLabelArgs(args: readonly string[]): {
  resources: string[]
  set: Record<string, string>
  remove: string[]
} {
  const resources: string[] = []
  const set: Record<string, string> = {}
  const remove: string[] = []
  for (const a of args) {
    const eq = a.indexOf('=')
    if (eq > 0) {
      const k = a.slice(0, eq)
      const v = a.slice(eq + 1)
      if (!KEY.test(k)) throw new UsageError(`invalid label spec: ${a}`)
      if (!VALUE.test(v) || v.length > 63) throw new UsageError(`invalid label value: "${a}"`)
      set[k] = v
    } else if (a.endsWith('-') && resources.length > 0) remove.push(a.slice(0, -1))
    else resources.push(a)
  }
  if (Object.keys(set).length === 0 && remove.length === 0)
    throw new UsageError('at least one label update is required')
  return { resources, set, remove }
}

async function label(args: string[], flags: LabelFlags): Promise<number> {
  const { resources, set, remove } = parseLabelArgs(args)
  const targets = parseTargets(resources)
  const client = connect(flags)
  let ok = true
  for (const { info, names } of targets.groups) {
    if (names.length === 0)
      throw new UsageError('one or more resources must be specified as <resource> <name>')
    for (const name of names) {
      const path = objectPath(info, flags.namespace ?? 'default', name)
      const got = await client.request('GET', path)
      if (got.status !== 200) {
        stdio.err(serverError(got))
        ok = false
        continue
      }
      const live = (got.body as KubeObject).metadata.labels ?? {}
      const patch: Record<string, string | null> = {}
      let refused = false
      for (const [k, v] of Object.entries(set)) {
        if (live[k] === v) continue
        if (live[k] !== undefined && !flags.overwrite) {
          stdio.err(`error: '${k}' already has a value (${live[k]}), and --overwrite is false`)
          refused = true
        }
        patch[k] = v
      }
      for (const k of remove) if (live[k] !== undefined) patch[k] = null
      if (refused) {
        ok = false
        continue
      }
      const display = `${kindDisplay(info)}/${name}`
      if (Object.keys(patch).length === 0) {
        stdio.out(`${display} not labeled\n`)
        continue
      }
      const res = await client.request('PATCH', path, {
        body: { metadata: { labels: patch } },
        contentType: 'application/merge-patch+json',
      })
      if (res.status === 200) stdio.out(`${display} labeled\n`)
      else {
        stdio.err(serverError(res))
        ok = false
      }
    }
  }
  return ok ? EXIT.OK : EXIT.FAILED
}

/** Registers `weir label`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('label')
      .description('Update the labels of a resource: weir label namespace voting istio-injection=enabled')
      .argument('<args...>', 'KIND NAME key=value… (key- removes a label)')
      .option('--overwrite', 'allow replacing a label that already has a value'),
  ).action((args: string[], flags: LabelFlags) =>
    runVerb(async () => {
      try {
        return await label(args, flags)
      } catch (err) {
        if (!(err instanceof UnknownKindError)) throw err
        stdio.err(`error: ${err.message}`)
        return EXIT.FAILED
      }
    }),
  )
}
