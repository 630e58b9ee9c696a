/** @module test/controlplane/serve-child — runs a control plane in a child process (argv: stateDir) and prints its URL. */
import { startControlPlane } from '../../src/controlplane/server.ts'

const cp = await startControlPlane({ stateDir: process.argv[2]! })
process.stdout.write(`${cp.url}\n`)
