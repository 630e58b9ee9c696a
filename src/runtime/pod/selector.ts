/** @module runtime/pod/selector — Kubernetes label selectors in their string form (`app=x,tier!=db,env in (a,b),!canary`). */

type Term = (labels: Record<string, string>) => boolean

/** Parses a selector; undefined when it is malformed. */
export function parseSelector(text: string): ((labels: Record<string, string>) => boolean) | undefined {
  const terms: Term[] = []
  const parts = text.match(/[^,(]+(\([^)]*\))?/g) ?? []
  for (const raw of parts) {
    const part = raw.trim()
    if (part === '') continue
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part)
    if (m) {
      const key = m[1] as string
      const values = (m[3] as string).split(',').map((v) => v.trim())
      const neg = m[2] === 'notin'
      terms.push((l) => (key in l && values.includes(l[key] as string)) !== neg)
      continue
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part)
    if (m) {
      const [key, op, value] = [m[1] as string, m[2], m[3] as string]
      terms.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value)
      continue
    }
    m = /^(!?)([\w./-]+)$/.exec(part)
    if (m) {
      const key = m[2] as string
      const neg = m[1] === '!'
      terms.push((l) => key in l !== neg)
      continue
    }
    return undefined
  }
  return (labels) => terms.every((t) => t(labels))
}
