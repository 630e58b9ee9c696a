/**
 * @module cli/kube/jsonpath — kubectl's `-o jsonpath=TEMPLATE`: literal text and `{…}` expressions with
 * `.field`, `['field']`, `[n]`, `[*]`, `..field` (recursive descent), `{range …}…{end}` and `{"\n"}`.
 */

/** A template that does not parse, with kubectl's wording. */
export class JsonPathError extends Error {}

type Seg =
  | { t: 'field'; name: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'descend'; name: string }

function parseExpr(expr: string): Seg[] {
  const segs: Seg[] = []
  let s = expr.trim()
  if (s.startsWith('$')) s = s.slice(1)
  let i = 0
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      const m = /^[A-Za-z0-9_\-$]+/.exec(s.slice(i + 2))
      if (!m) throw new JsonPathError(`unrecognized identifier in ${expr}`)
      segs.push({ t: 'descend', name: m[0] })
      i += 2 + m[0].length
    } else if (s[i] === '.') {
      const m = /^[A-Za-z0-9_\-$/]*/.exec(s.slice(i + 1))!
      if (m[0] !== '') segs.push({ t: 'field', name: m[0] })
      i += 1 + m[0].length
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i)
      if (end < 0) throw new JsonPathError(`unterminated array in ${expr}`)
      const inner = s.slice(i + 1, end).trim()
      if (inner === '*') segs.push({ t: 'all' })
      else if (/^-?\d+$/.test(inner)) segs.push({ t: 'index', i: Number(inner) })
      else if (/^'.*'$|^".*"$/.test(inner)) segs.push({ t: 'field', name: inner.slice(1, -1) })
      else throw new JsonPathError(`unsupported array expression [${inner}] in ${expr}`)
      i = end + 1
    } else {
      const m = /^[A-Za-z0-9_\-$]+/.exec(s.slice(i))
      if (!m) throw new JsonPathError(`unrecognized character in action: ${s[i]}`)
      segs.push({ t: 'field', name: m[0] })
      i += m[0].length
    }
  }
  return segs
}

function descend(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) descend(x, name, out)
  else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    if (Object.hasOwn(o, name)) out.push(o[name])
    for (const x of Object.values(o)) descend(x, name, out)
  }
}

/** Every value an expression selects from `root`. */
export function evaluate(root: unknown, expr: string): unknown[] {
  let cur: unknown[] = [root]
  for (const seg of parseExpr(expr)) {
    const next: unknown[] = []
    for (const v of cur) {
      if (seg.t === 'field') {
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, seg.name)) {
          next.push((v as Record<string, unknown>)[seg.name])
        }
      } else if (seg.t === 'index') {
        if (Array.isArray(v)) {
          const x = v[seg.i < 0 ? v.length + seg.i : seg.i]
          if (x !== undefined) next.push(x)
        }
      } else if (seg.t === 'all') {
        if (Array.isArray(v)) next.push(...v)
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v))
      } else descend(v, seg.name, next)
    }
    cur = next
  }
  return cur
}

function show(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return ''
  return JSON.stringify(v)
}

type Node = { t: 'text'; s: string } | { t: 'expr'; e: string } | { t: 'range'; e: string; body: Node[] }

function tokenize(template: string): Node[] {
  const root: Node[] = []
  const stack: Node[][] = [root]
  const ranges: Extract<Node, { t: 'range' }>[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    const top = stack[stack.length - 1]!
    if (open < 0) {
      top.push({ t: 'text', s: template.slice(i) })
      break
    }
    if (open > i) top.push({ t: 'text', s: template.slice(i, open) })
    const close = template.indexOf('}', open)
    if (close < 0) throw new JsonPathError(`unclosed action in template: ${template}`)
    const inner = template.slice(open + 1, close).trim()
    i = close + 1
    if (/^".*"$/.test(inner)) top.push({ t: 'text', s: JSON.parse(inner) as string })
    else if (inner.startsWith('range ')) {
      const node = { t: 'range' as const, e: inner.slice(6), body: [] as Node[] }
      top.push(node)
      ranges.push(node)
      stack.push(node.body)
    } else if (inner === 'end') {
      if (stack.length === 1) throw new JsonPathError('not in range, nothing to end')
      stack.pop()
      ranges.pop()
    } else top.push({ t: 'expr', e: inner })
  }
  return root
}

function run(nodes: Node[], data: unknown): string {
  let out = ''
  for (const n of nodes) {
    if (n.t === 'text') out += n.s
    else if (n.t === 'expr') out += evaluate(data, n.e).map(show).join(' ')
    else for (const item of evaluate(data, n.e)) out += run(n.body, item)
  }
  return out
}

/** Renders a kubectl JSONPath template against `data`. Throws JsonPathError on a bad template. */
export function renderJsonPath(template: string, data: unknown): string {
  return run(tokenize(template), data)
}
