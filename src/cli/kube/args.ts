/** @module cli/kube/args — `KIND NAME…`, `KIND/NAME…` and `KIND1,KIND2` as kubectl reads them. */
import type { KindInfo } from '../../api/kinds.ts'
import { kindFromArg } from './resources.ts'
import { UsageError } from './run.ts'

/** What the positional arguments name. */
export interface Targets {
  /** Kinds with the names asked for (empty: every object of the kind). */
  groups: { info: KindInfo; names: string[] }[]
}

/** What `all` means, as in kubectl: the workload kinds. */
const ALL = ['pods', 'services', 'deployments']

/** Thrown for a kind the server does not know: `error: the server doesn't have a resource type "x"` (exit 1). */
export class UnknownKindError extends Error {}

function kind(arg: string): KindInfo {
  const info = kindFromArg(arg)
  if (!info) throw new UnknownKindError(`the server doesn't have a resource type "${arg}"`)
  return info
}

/** Parses `KIND [NAME…]`, `KIND1,KIND2`, or `KIND/NAME…`. */
export function parseTargets(args: readonly string[]): Targets {
  if (args.length === 0) throw new UsageError('you must specify the type of resource')
  if (args.every((a) => a.includes('/'))) {
    const groups: Targets['groups'] = []
    for (const a of args) {
      const [k, n] = [a.slice(0, a.indexOf('/')), a.slice(a.indexOf('/') + 1)]
      if (n === '')
        throw new UsageError(`arguments in resource/name form must have a single resource and name`)
      const info = kind(k)
      const g = groups.find((x) => x.info === info)
      if (g) g.names.push(n)
      else groups.push({ info, names: [n] })
    }
    return { groups }
  }
  const [first, ...names] = args
  if (names.some((n) => n.includes('/'))) {
    throw new UsageError(
      'there is no need to specify a resource type as a separate argument when passing arguments in resource/name form',
    )
  }
  const kinds = first!
    .split(',')
    .filter((k) => k !== '')
    .flatMap((k) => (k === 'all' ? ALL.map(kind) : [kind(k)]))
  if (kinds.length > 1 && names.length > 0)
    throw new UsageError('names cannot be given with several resource types')
  return { groups: kinds.map((info) => ({ info, names })) }
}
