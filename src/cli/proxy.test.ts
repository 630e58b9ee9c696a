import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  cluster,
  endpoint,
  forwardRoute,
  httpConfig,
  send,
  startUpstream,
  type Upstream,
  vhost,
} from '../proxy/test-support.ts'

const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

describe('weir proxy', () => {
  let dir: string
  let up: Upstream
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-proxy-'))
    up = await startUpstream('up')
  })
  after(async () => {
    await up.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs a proxy from a config file and drains on SIGTERM', async () => {
    const file = join(dir, 'config.json')
    await writeFile(
      file,
      JSON.stringify(
        httpConfig([vhost('svc', ['svc'], [forwardRoute('up')])], [cluster('up', [endpoint(up.port)])]),
      ),
    )
    const child = spawn(process.execPath, [WEIR, 'proxy', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let stderr = ''
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listener line: ${stderr}`)), 10_000)
        child.stderr.on('data', (d) => {
          stderr += d
          const m = /listener http on [^:]+:(\d+)/.exec(stderr)
          if (m) {
            clearTimeout(timer)
            resolve(Number(m[1]))
          }
        })
      })
      assert.equal((await send(port)).body, 'up')
      const code = new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
      child.kill('SIGTERM')
      assert.equal(await code, 0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('exits 64 without --config and 65 on a file that is not JSON', async () => {
    const run = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, [WEIR, 'proxy', ...args], { stdio: 'ignore' })
        c.once('exit', (code) => resolve(code))
      })
    assert.equal(await run([]), 64)
    const bad = join(dir, 'bad.json')
    await writeFile(bad, '{nope')
    assert.equal(await run(['--config', bad]), 65)
  })
})
