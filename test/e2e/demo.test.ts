/**
 * `weir demo` (what `npm start` runs): it starts Bookinfo on a local mesh, prints the gateway URL and five
 * commands, serves the product page through the gateway, and stops everything on Ctrl-C.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { http, ROOT, WEIR_BIN, waitFor } from './mesh.ts'

test('weir demo: Bookinfo through the gateway, five commands, Ctrl-C stops it', {
  timeout: 120_000,
}, async () => {
  const state = await mkdtemp(join(tmpdir(), 'weir-e2e-demo-'))
  const child = spawn(process.execPath, [WEIR_BIN, 'demo', '--gateway-port', '0', '--state', state], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString()
  })
  let done = false
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true
      resolve(code)
    }),
  )
  /** Ctrl-C (the demo passes it on to `weir up`), SIGKILL after 20 s; the exit code. */
  const stop = async (): Promise<number | null> => {
    if (!done) child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  try {
    const url = await waitFor(
      'the demo ready lines',
      () => /Bookinfo is up: (\S+)\n[\s\S]*Ctrl-C/.exec(out)?.[1],
      90_000,
    )
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/productpage$/)
    const commands = out.split('\n').filter((l) => /^ {2}[1-5]\. /.test(l))
    assert.equal(commands.length, 5, out)
    assert.match(commands[0] ?? '', /curl -s http:\/\/127\.0\.0\.1:\d+\/productpage/)
    assert.match(commands[4] ?? '', /weir apply -f .*virtual-service-reviews-90-10\.yaml/)
    const page = await waitFor('the product page', async () => {
      const a = await http(url)
      return a.status === 200 ? a.body : undefined
    })
    assert.match(page, /<title>Simple Bookstore App<\/title>/)
    assert.equal(await stop(), 0, out)
  } finally {
    await stop()
    await rm(state, { recursive: true, force: true })
  }
})
