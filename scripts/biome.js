#!/usr/bin/env node
// Runs Biome's Linux x64 binary. The project depends on the platform package directly: the
// `@biomejs/biome` wrapper lists optional packages for every platform, and a lock file made where
// only some of them can be fetched makes `npm ci` refuse to install.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../node_modules/@biomejs/cli-linux-x64/biome', import.meta.url))
const r = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' })
if (r.error) {
  process.stderr.write(`cannot run Biome (${bin}): ${r.error.message}\n`)
  process.exit(1)
}
process.exit(r.status ?? 1)
