/**
 * @module api/load — reads Kubernetes-shaped YAML or JSON from files, directories and stdin.
 * Never throws on bad input: every problem becomes a diagnostic with file, line and column.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml'
import { codes } from './codes.ts'
import type { Diagnostic, SourcePos } from './diagnostics.ts'
import { knownKindList, lookupKind } from './kinds.ts'
import type { ObjectMeta, Origin, Resource } from './resource.ts'

/** What loading produced: the resources that could be read, and every problem met. */
export interface LoadResult {
  resources: Resource[]
  diagnostics: Diagnostic[]
  /** True when some input could not be read or parsed at all (istioctl exits 65). */
  unreadable: boolean
}

const EXTENSIONS = /\.(ya?ml|json)$/i

/** Loads files and directories (recursively, `*.yaml|*.yml|*.json`); `-` reads `stdin`. */
export async function loadPaths(
  paths: readonly string[],
  opts: { stdin?: () => Promise<string> } = {},
): Promise<LoadResult> {
  const out: LoadResult = { resources: [], diagnostics: [], unreadable: false }
  for (const p of paths) {
    if (p === '-') {
      const text = opts.stdin ? await opts.stdin() : await readStdin()
      merge(out, parseText(text, '-'))
      continue
    }
    let files: string[]
    try {
      files = await expand(p)
    } catch (err) {
      out.unreadable = true
      out.diagnostics.push(unreadable(p, err))
      continue
    }
    for (const f of files) {
      try {
        merge(out, parseText(await readFile(f, 'utf8'), f))
      } catch (err) {
        out.unreadable = true
        out.diagnostics.push(unreadable(f, err))
      }
    }
  }
  return out
}

async function expand(p: string): Promise<string[]> {
  const s = await stat(p)
  if (!s.isDirectory()) return [p]
  const entries = await readdir(p, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const files: string[] = []
  for (const e of entries) {
    const child = join(p, e.name)
    if (e.isDirectory()) files.push(...(await expand(child)))
    else if (EXTENSIONS.test(e.name)) files.push(child)
  }
  return files
}

function unreadable(file: string, err: unknown): Diagnostic {
  const reason = err instanceof Error ? err.message : String(err)
  return {
    code: codes.UNREADABLE,
    severity: 'Error',
    message: `cannot read ${file}: ${reason}`,
    source: { file, line: 0, column: 0 },
  }
}

function merge(into: LoadResult, from: LoadResult): void {
  into.resources.push(...from.resources)
  into.diagnostics.push(...from.diagnostics)
  into.unreadable ||= from.unreadable
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Parses one text holding any number of YAML (or JSON) documents. `file` names it in diagnostics. */
export function parseText(text: string, file: string): LoadResult {
  const out: LoadResult = { resources: [], diagnostics: [], unreadable: false }
  const lc = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false })
  const list = Array.isArray(docs) ? docs : [docs]
  list.forEach((doc, index) => {
    const pos = (offset: number): SourcePos => {
      const p = lc.linePos(offset)
      return { file, line: p.line, column: p.col }
    }
    if (doc.errors.length > 0) {
      out.unreadable = true
      for (const e of doc.errors.slice(0, 1)) {
        out.diagnostics.push({
          code: codes.PARSE_ERROR,
          severity: 'Error',
          message: `YAML does not parse: ${e.message.split('\n')[0]}`,
          source: pos(errorOffset(text, e.code, e.pos[0])),
        })
      }
      return
    }
    const root = doc.contents
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown
    const at = (path: readonly (string | number)[]): SourcePos => {
      const node = nodeAt(root as Node, path)
      return pos(node?.range?.[0] ?? (root as Node).range?.[0] ?? 0)
    }
    addObject(out, value, { ...pos((root as Node).range?.[0] ?? 0), doc: index, at }, [])
  })
  return out
}

/**
 * Where to point at for a parse error. For a wrongly indented line the parser blames the line above it
 * (it reads the two as one multi-line key), so point at the next non-empty line instead.
 */
function errorOffset(text: string, code: string, offset: number): number {
  if (code !== 'BLOCK_AS_IMPLICIT_KEY') return offset
  let i = text.indexOf('\n', offset)
  while (i >= 0 && i + 1 < text.length) {
    const next = text.indexOf('\n', i + 1)
    const line = text.slice(i + 1, next < 0 ? text.length : next)
    if (line.trim() !== '') return i + 1 + (line.length - line.trimStart().length)
    i = next
  }
  return offset
}

/** The deepest YAML node along a path (stops at the last node that exists). */
function nodeAt(root: Node, path: readonly (string | number)[]): Node | undefined {
  let node: Node | undefined = root
  for (const seg of path) {
    let next: unknown
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg))
      next = pair?.value ?? pair?.key
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg]
    }
    if (!next || typeof next !== 'object') break
    node = next as Node
  }
  return node
}

function addObject(out: LoadResult, value: unknown, origin: Origin, prefix: (string | number)[]): void {
  const here = origin.at ? origin.at(prefix) : origin
  const at = origin.at
  const sub: Origin = {
    ...here,
    doc: origin.doc,
    ...(at ? { at: (p: readonly (string | number)[]) => at([...prefix, ...p]) } : {}),
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.diagnostics.push({
      code: codes.NOT_A_RESOURCE,
      severity: 'Error',
      message: 'document is not a Kubernetes object (expected a mapping with apiVersion and kind)',
      source: here,
    })
    return
  }
  const obj = value as Record<string, unknown>
  const { apiVersion, kind } = obj
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    const missing = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind'
    out.diagnostics.push({
      code: codes.NOT_A_RESOURCE,
      severity: 'Error',
      message: `object has no ${missing}`,
      path: missing,
      source: here,
    })
    return
  }
  if (kind === 'List' || kind.endsWith('List')) {
    const items = Array.isArray(obj.items) ? obj.items : []
    items.forEach((item, i) => {
      addObject(out, item, origin, [...prefix, 'items', i])
    })
    return
  }
  const info = lookupKind(apiVersion, kind)
  if (!info) {
    out.diagnostics.push({
      code: codes.UNKNOWN_KIND,
      severity: 'Error',
      message: `unknown kind "${kind}" in apiVersion "${apiVersion}"; known kinds: ${knownKindList().join(', ')}`,
      path: 'kind',
      source: sub.at ? sub.at(['kind']) : here,
    })
    return
  }
  if (info.status === 'ignored') {
    out.diagnostics.push({
      code: codes.IGNORED_KIND,
      severity: 'Warning',
      message: `${apiVersion} ${kind} is accepted for compatibility and has no effect in Weir`,
      path: 'kind',
      source: here,
    })
  }
  const meta = obj.metadata
  const metadata: ObjectMeta =
    meta !== null && typeof meta === 'object' && !Array.isArray(meta)
      ? (meta as ObjectMeta)
      : ({ name: '' } as ObjectMeta)
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    const gen = (metadata as Record<string, unknown>).generateName
    if (info.status === 'ignored') return
    if (typeof gen !== 'string') {
      out.diagnostics.push({
        code: codes.NOT_A_RESOURCE,
        severity: 'Error',
        message: `${kind} has no metadata.name`,
        path: 'metadata.name',
        source: sub.at ? sub.at(['metadata']) : here,
      })
      return
    }
  }
  out.resources.push({ apiVersion, kind, metadata, body: obj, origin: sub })
}
