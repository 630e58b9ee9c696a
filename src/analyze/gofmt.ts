/** @module analyze/gofmt — fills Go `fmt` templates (`%s %v %q %d`) the way istioctl prints its messages. */
import type { MessageArg } from './types.ts'

/** Go's `%q` of a string: double-quoted with Go escapes. */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return `${out}"`
}

function plain(arg: MessageArg | undefined): string {
  if (arg === undefined) return '%!v(MISSING)'
  if (Array.isArray(arg)) return `[${arg.map((a) => String(a)).join(' ')}]`
  return String(arg)
}

/** Fills `template` with `args` in order: `%s`/`%v`/`%d` print plainly (lists as `[a b]`), `%q` quotes. */
export function goFormat(template: string, args: readonly MessageArg[]): string {
  let i = 0
  return template.replace(/%([svqd%])/g, (_m, verb: string) => {
    if (verb === '%') return '%'
    const arg = args[i++]
    if (verb !== 'q') return plain(arg)
    if (Array.isArray(arg)) return `[${arg.map((a) => goQuote(String(a))).join(' ')}]`
    return arg === undefined ? '%!q(MISSING)' : goQuote(String(arg))
  })
}
