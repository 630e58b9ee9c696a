/** @module cli/main — builds the `weir` command line from one file per command. */

import { Command, CommanderError } from 'commander'
import { WEIR_VERSION } from '../version.ts'
import { EXIT } from './exit-codes.ts'
import { COMMANDS } from './registry.ts'

/** Runs the CLI with `argv` (as `process.argv`). Sets `process.exitCode`; never calls exit itself on success. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('weir')
    .description('Weir: a service mesh that speaks Istio’s API, on one machine or many.')
    .version(WEIR_VERSION)
    .showHelpAfterError()
    .exitOverride()
  for (const register of COMMANDS) register(program)
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.exitCode = EXIT.OK
        return
      }
      if (err.code === 'commander.help') {
        process.exitCode = EXIT.OK
        return
      }
      process.exitCode = EXIT.USAGE
      return
    }
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`error: ${message}\n`)
    process.exitCode = EXIT.FAILED
  }
}
