/** @module xds/lines — splits a stream of UTF-8 text into NDJSON lines, with a cap on line length. */
import { StringDecoder } from 'node:string_decoder'

/** Feeds chunks in, calls `onLine` per complete line (without `\n`; blank lines skipped). */
export interface LineSplitter {
  push(chunk: Buffer | string): void
}

/**
 * Creates a splitter. A line longer than `maxLineBytes` (counted in UTF-16 units, close enough) calls
 * `onOverflow` once and drops the rest of the stream's data.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  maxLineBytes: number,
  onOverflow: () => void,
): LineSplitter {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let dead = false
  return {
    push(chunk) {
      if (dead) return
      let text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk))
      let nl = text.indexOf('\n')
      while (nl !== -1) {
        const line = text.slice(0, nl).trim()
        text = text.slice(nl + 1)
        if (line !== '') onLine(line)
        if (dead) return
        nl = text.indexOf('\n')
      }
      pending = text
      if (pending.length > maxLineBytes) {
        dead = true
        pending = ''
        onOverflow()
      }
    },
  }
}
