/** The committed dashboard/dist is what `npm run build:dashboard` makes of the current sources. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort()
}

it('dashboard/dist is up to date (else: npm run build:dashboard, and commit dashboard/dist)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'weir-dash-'))
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'dashboard', '--outDir', out, '--emptyOutDir'],
        { cwd: ROOT, timeout: 60_000 },
        (err, _stdout, stderr) => (err ? reject(new Error(`vite build failed: ${stderr}`)) : resolve()),
      )
    })
    const committed = join(ROOT, 'dashboard/dist')
    assert.deepEqual(files(out), files(committed))
    for (const f of files(out))
      assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(committed, f))), f)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
