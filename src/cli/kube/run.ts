/** @module cli/kube/run — runs a verb: prints connection problems as kubectl does and sets the exit code. */
import { EXIT } from '../exit-codes.ts'
import { ConnectionError } from './client.ts'
import { JsonPathError } from './jsonpath.ts'

/** A usage mistake the verb found itself (exit 64). */
export class UsageError extends Error {}

/** Where a verb writes: data to stdout, errors to stderr. */
export interface Io {
  out(text: string): void
  err(line: string): void
}

/** stdout/stderr. */
export const stdio: Io = {
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
}

/** Runs a verb's body and sets `process.exitCode` from its result or its failure. */
export async function runVerb(body: () => Promise<number>): Promise<void> {
  // `weir get pods | head -1`: a closed pipe ends the command quietly, as it does kubectl.
  process.stdout.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  try {
    process.exitCode = await body()
  } catch (err) {
    if (err instanceof UsageError) {
      stdio.err(`error: ${err.message}`)
      process.exitCode = EXIT.USAGE
    } else if (err instanceof ConnectionError || err instanceof JsonPathError) {
      stdio.err(err instanceof JsonPathError ? `error: error parsing jsonpath: ${err.message}` : err.message)
      process.exitCode = EXIT.FAILED
    } else throw err
  }
}

/** Collects a repeatable option (`-f a -f b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
