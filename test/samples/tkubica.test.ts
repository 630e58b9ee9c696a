/** tkubica demo apps: retry backend (ok, busy 503, crash exit), web v1/v2, the sniffer and the idle client box. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fetchText } from '../../samples/lib/fetch.ts'
import { type App, ROOT, startApp, waitForOutput } from './support.ts'

const running: App[] = []
after(async () => {
  await Promise.all(running.map((a) => a.stop()))
})
async function start(app: string, env: Record<string, string> = {}): Promise<App> {
  const a = await startApp(app, env)
  running.push(a)
  return a
}

describe('retry backend', () => {
  it('answers 200 OK (2 bytes, no newline) when it does not fail', async () => {
    const a = await start('retry-backend')
    const r = await fetchText(`${a.url}/?failRate=0`)
    assert.equal(r.status, 200)
    assert.equal(r.body, 'OK')
    await waitForOutput(a, /"GET \/\?failRate=0 HTTP\/1\.1" 200 2 /)
  })

  it('answers 503 with the "Overloaded" error page in busy mode', async () => {
    const a = await start('retry-backend')
    // failRate=100 fails when 100 > r for r in 1..100: 99 times in 100, as the original does.
    let overloaded = 0
    for (let i = 0; i < 3; i++) {
      const r = await fetchText(`${a.url}/?failRate=100&mode=busy`)
      if (r.status === 200 && r.body === 'OK') continue
      overloaded++
      assert.equal(r.status, 503)
      assert.match(r.body, /<h2>503 Service Unavailable<\/h2>/)
      assert.match(r.body, /<p>Overloaded<\/p>/)
    }
    assert.ok(overloaded > 0, 'failRate=100 answered OK three times in a row')
    assert.equal(a.proc.exitCode, null, 'busy mode does not exit')
  })

  it('exits the whole process with code 69 in crash mode (the default), cutting the connection', async () => {
    const a = await start('retry-backend', { CRASH_DELAY_SECONDS: '0.2' })
    // failRate=100 fails 99 times in 100 (r = 100 answers OK): ask until one fails, at most 5 times.
    let crashed = false
    for (let i = 0; i < 5 && !crashed; i++) {
      const answer = await fetchText(`${a.url}/?failRate=100`).catch(() => undefined)
      if (answer === undefined) crashed = true
      else assert.equal(answer.body, 'OK')
    }
    assert.ok(crashed, 'the connection was never cut')
    const { code } = await a.exited
    assert.equal(code, 69)
  })
})

describe('web v1/v2', () => {
  it('answers "Version N: server id <uuid>" with the same id for every request of one process', async () => {
    const v1 = await start('web', { WEB_VERSION: '1' })
    const v2 = await start('web', { WEB_VERSION: '2' })
    const a = await fetchText(`${v1.url}/`)
    const b = await fetchText(`${v1.url}/`)
    const c = await fetchText(`${v2.url}/`)
    assert.match(
      a.body,
      /^Version 1: server id [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
    assert.equal(a.body, b.body)
    assert.match(c.body, /^Version 2: server id /)
    assert.equal((await fetchText(`${v1.url}/other`)).status, 404)
  })
})

describe('sniffer', () => {
  it('logs each request it receives with its Host (mirrored copies carry -shadow)', async () => {
    const s = await start('sniffer', { args: 'tcp port 0' })
    const r = await fetchText(`${s.url}/?failRate=1`, { headers: { host: 'retry-service-shadow' } })
    assert.equal(r.status, 200)
    await waitForOutput(s, /> GET \/\?failRate=1 HTTP\/1\.1\n {4}host: retry-service-shadow/i)
  })
})

describe('idle client box', () => {
  it('stays up doing nothing until SIGTERM, then exits 0', async () => {
    const p = spawn(process.execPath, [join(ROOT, 'samples/idle/main.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<number | null>((res) => p.on('exit', (c) => res(c)))
    await new Promise<void>((res) => p.stdout.once('data', () => res()))
    assert.equal(p.exitCode, null)
    p.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
})
