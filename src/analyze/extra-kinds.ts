/**
 * @module analyze/extra-kinds — objects of kinds Weir does not load (Nodes, webhook configurations, CRDs …),
 * read again from their files for the analyzers that look at them, with the same `file:line` positions.
 */
import { readFile } from 'node:fs/promises'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml'
import { lookupKind, splitApiVersion } from '../api/kinds.ts'
import type { ObjectMeta, Resource } from '../api/resource.ts'
import { obj } from './values.ts'

/** `group/Kind` of an object ('' group for core), as `ACCEPTED_BUILTIN_KINDS` keys it. */
export function groupKind(apiVersion: string, kind: string): string {
  return `${splitApiVersion(apiVersion).group}/${kind}`
}

function nodeAt(root: Node, path: readonly (string | number)[]): Node {
  let node: Node = root
  for (const seg of path) {
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg))
      next = pair?.value ?? pair?.key
    } else if (isSeq(node) && typeof seg === 'number') next = node.items[seg]
    if (!next || typeof next !== 'object') break
    node = next as Node
  }
  return node
}

/** Reads the objects of unloaded kinds that `accept` admits from these files (unreadable files are skipped). */
export async function loadExtraKinds(
  files: Iterable<string>,
  accept: (groupKind: string) => boolean,
): Promise<Resource[]> {
  const out: Resource[] = []
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      continue
    }
    const lc = new LineCounter()
    parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false }).forEach((doc, index) => {
      if (doc.errors.length > 0 || !doc.contents) return
      const root = doc.contents as Node
      const pos = (n: Node) => {
        const p = lc.linePos(n.range?.[0] ?? 0)
        return { file, line: p.line, column: p.col }
      }
      const add = (value: unknown, prefix: (string | number)[]): void => {
        const o = obj(value)
        const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : ''
        const kind = typeof o.kind === 'string' ? o.kind : ''
        if (kind === 'List' || kind.endsWith('List')) {
          ;(Array.isArray(o.items) ? o.items : []).forEach((it, i) => {
            add(it, [...prefix, 'items', i])
          })
          return
        }
        if (
          apiVersion === '' ||
          kind === '' ||
          lookupKind(apiVersion, kind) ||
          !accept(groupKind(apiVersion, kind))
        )
          return
        const metadata = { name: '', ...obj(o.metadata) } as ObjectMeta
        const at = (p: readonly (string | number)[]) => pos(nodeAt(root, [...prefix, ...p]))
        out.push({ apiVersion, kind, metadata, body: o, origin: { ...at([]), doc: index, at } })
      }
      add(doc.toJS({ maxAliasCount: 100 }) as unknown, [])
    })
  }
  return out
}
