/** @module cli/get — `weir get KIND [NAME…]` with kubectl's columns, `-o yaml|json|wide|name|jsonpath=…`, `-l`, `-A`, `-w`. */
import type { Command } from 'commander'
import type { KindInfo } from '../api/kinds.ts'
import type { KubeObject, WatchEvent } from '../controlplane/store/types.ts'
import { EXIT } from './exit-codes.ts'
import { parseTargets, UnknownKindError } from './kube/args.ts'
import { addClientOptions, type ClientFlags, connect, type KubeClient } from './kube/client.ts'
import { ageOf, columnsFor } from './kube/columns.ts'
import { asList, labelsText, table, toJson, toYaml } from './kube/format.ts'
import { renderJsonPath } from './kube/jsonpath.ts'
import { collectionPath, kindDisplay, objectPath, serverError } from './kube/resources.ts'
import { runVerb, stdio, UsageError } from './kube/run.ts'

interface GetFlags extends ClientFlags {
  output?: string
  selector?: string
  fieldSelector?: string
  allNamespaces?: boolean
  showLabels?: boolean
  watch?: boolean
  ignoreNotFound?: boolean
  /** commander's negation of `--no-headers`. */
  headers?: boolean
}

type Output = { type: 'table' | 'wide' | 'yaml' | 'json' | 'name' } | { type: 'jsonpath'; template: string }

function parseOutput(o: string | undefined): Output {
  const v = (o ?? '').replace(/^=/, '')
  if (v === '') return { type: 'table' }
  if (v === 'wide' || v === 'yaml' || v === 'json' || v === 'name') return { type: v }
  const m = /^jsonpath=(.*)$/s.exec(v)
  if (m) return { type: 'jsonpath', template: m[1]! }
  throw new UsageError(
    `unable to match a printer suitable for the output format "${v}", allowed formats are: json,jsonpath,name,wide,yaml`,
  )
}

/** The rows of a table for objects of one kind, header first. */
export function tableRows(
  info: KindInfo,
  items: readonly KubeObject[],
  opts: { wide: boolean; namespaces: boolean; labels: boolean; qualify: boolean; header: boolean },
  now: number,
): string[][] {
  const cols = columnsFor(info.group, info.kind)
  const rows: string[][] = []
  if (opts.header) {
    rows.push([
      ...(opts.namespaces ? ['NAMESPACE'] : []),
      'NAME',
      ...cols.headers,
      'AGE',
      ...(opts.wide && cols.wide ? cols.wide.headers : []),
      ...(opts.labels ? ['LABELS'] : []),
    ])
  }
  for (const o of items) {
    rows.push([
      ...(opts.namespaces ? [o.metadata.namespace ?? ''] : []),
      opts.qualify ? `${kindDisplay(info)}/${o.metadata.name}` : o.metadata.name,
      ...cols.row(o, now),
      ageOf(o, now),
      ...(opts.wide && cols.wide ? cols.wide.row(o) : []),
      ...(opts.labels ? [labelsText(o.metadata.labels)] : []),
    ])
  }
  return rows
}

interface Fetched {
  info: KindInfo
  items: KubeObject[]
  /** The list's resourceVersion (for -w). */
  resourceVersion?: string
  named: boolean
}

async function fetchGroup(
  client: KubeClient,
  info: KindInfo,
  names: string[],
  flags: GetFlags,
): Promise<{ fetched: Fetched; ok: boolean }> {
  const ns = flags.namespace ?? 'default'
  if (names.length > 0) {
    const items: KubeObject[] = []
    let ok = true
    for (const n of names) {
      const res = await client.request('GET', objectPath(info, ns, n))
      if (res.status === 200) items.push(res.body as KubeObject)
      else if (!(res.status === 404 && flags.ignoreNotFound)) {
        stdio.err(serverError(res))
        ok = false
      }
    }
    return { fetched: { info, items, named: true }, ok }
  }
  const where = info.namespaced && !flags.allNamespaces ? ns : undefined
  const res = await client.request('GET', collectionPath(info, where), {
    query: { labelSelector: flags.selector, fieldSelector: flags.fieldSelector },
  })
  if (res.status !== 200) {
    stdio.err(serverError(res))
    return { fetched: { info, items: [], named: false }, ok: false }
  }
  const body = res.body as { items: KubeObject[]; metadata?: { resourceVersion?: string } }
  const rv = body.metadata?.resourceVersion
  return {
    fetched: { info, items: body.items, named: false, ...(rv ? { resourceVersion: rv } : {}) },
    ok: true,
  }
}

function printStructured(out: Output, all: Fetched[]): void {
  const items = all.flatMap((f) => f.items)
  const single = all.length === 1 && all[0]!.named && items.length === 1
  const data = single ? items[0] : asList(items)
  if (out.type === 'yaml') stdio.out(toYaml(data))
  else if (out.type === 'json') stdio.out(toJson(data))
  else if (out.type === 'jsonpath') stdio.out(renderJsonPath(out.template, data))
}

async function get(args: string[], flags: GetFlags): Promise<number> {
  const out = parseOutput(flags.output)
  const targets = parseTargets(args)
  if (flags.watch && targets.groups.length > 1)
    throw new UsageError('you may only specify a single resource type')
  const client = connect(flags)
  let ok = true
  const all: Fetched[] = []
  for (const { info, names } of targets.groups) {
    const r = await fetchGroup(client, info, names, flags)
    ok &&= r.ok
    all.push(r.fetched)
  }
  const now = Date.now()
  const namespaces = flags.allNamespaces === true
  const qualify = all.length > 1
  const total = all.reduce((n, f) => n + f.items.length, 0)
  if (out.type === 'yaml' || out.type === 'json' || out.type === 'jsonpath') {
    if (total > 0 || !all.some((f) => f.named)) printStructured(out, all)
  } else if (out.type === 'name') {
    for (const f of all) for (const o of f.items) stdio.out(`${kindDisplay(f.info)}/${o.metadata.name}\n`)
  } else {
    const blocks = all
      .filter((f) => f.items.length > 0)
      .map((f) =>
        table(
          tableRows(
            f.info,
            f.items,
            {
              wide: out.type === 'wide',
              namespaces,
              labels: flags.showLabels === true,
              qualify,
              header: flags.headers !== false,
            },
            now,
          ),
        ),
      )
    stdio.out(blocks.join('\n'))
  }
  if (total === 0 && ok && !all.some((f) => f.named) && out.type !== 'yaml' && out.type !== 'json') {
    const first = all[0]!.info
    const where = first.namespaced && !namespaces ? ` in ${flags.namespace ?? 'default'} namespace.` : ''
    if (!flags.watch) stdio.err(`No resources found${where}`)
  }
  if (flags.watch) return watch(client, all[0]!, flags, out)
  return ok ? EXIT.OK : EXIT.FAILED
}

async function watch(client: KubeClient, f: Fetched, flags: GetFlags, out: Output): Promise<number> {
  const { info } = f
  const where = info.namespaced && !flags.allNamespaces ? (flags.namespace ?? 'default') : undefined
  const names = new Set(f.named ? f.items.map((o) => o.metadata.name) : [])
  let printedHeader = f.items.length > 0 || flags.headers === false
  const res = await client.stream(
    collectionPath(info, where),
    {
      resourceVersion: f.resourceVersion ?? '0',
      labelSelector: flags.selector,
      fieldSelector: flags.fieldSelector,
    },
    (e) => {
      const ev = e as WatchEvent
      if (names.size > 0 && !names.has(ev.object.metadata.name)) return
      if (out.type === 'name') stdio.out(`${kindDisplay(info)}/${ev.object.metadata.name}\n`)
      else if (out.type === 'yaml') stdio.out(`---\n${toYaml(ev.object)}`)
      else if (out.type === 'json') stdio.out(toJson(ev.object))
      else if (out.type === 'jsonpath') stdio.out(renderJsonPath(out.template, ev.object))
      else {
        const opts = {
          wide: out.type === 'wide',
          namespaces: flags.allNamespaces === true,
          labels: flags.showLabels === true,
          qualify: false,
          header: !printedHeader,
        }
        printedHeader = true
        stdio.out(table(tableRows(info, [ev.object], opts, Date.now())))
      }
    },
  )
  if (res.status !== 200) {
    stdio.err(serverError(res))
    return EXIT.FAILED
  }
  return EXIT.OK
}

/** Registers `weir get`. */
export function register(program: Command): void {
  addClientOptions(
    program
      .command('get')
      .description('List resources as kubectl does (pods, services, deployments, vs, dr, gw, se, …)')
      .argument('[args...]', 'KIND [NAME…], KIND1,KIND2, or KIND/NAME…')
      .option('-o, --output <format>', 'yaml|json|wide|name|jsonpath=TEMPLATE')
      .option('-l, --selector <selector>', 'label selector (app=x, version in (v1,v2), !canary)')
      .option('--field-selector <selector>', 'metadata.name=x, metadata.namespace!=y')
      .option('-A, --all-namespaces', 'list across every namespace')
      .option('--show-labels', 'add a LABELS column')
      .option('--no-headers', 'print the table without its header line')
      .option('-w, --watch', 'after listing, print changes as they happen')
      .option('--ignore-not-found', 'print nothing for names that do not exist'),
  ).action((args: string[], flags: GetFlags) =>
    runVerb(async () => {
      try {
        return await get(args, flags)
      } catch (err) {
        if (!(err instanceof UnknownKindError)) throw err
        stdio.err(`error: ${err.message}`)
        return EXIT.FAILED
      }
    }),
  )
}
