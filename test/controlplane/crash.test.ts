import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createStore } from '../../src/controlplane/store/store.ts'

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url))

/** Runs the writer until it has acknowledged `acks` writes, then kills it with SIGKILL. */
function runAndKill(dir: string, prefix: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, prefix], { stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: string[] = []
    let buf = ''
    let acked = 0
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString()
      let nl = buf.indexOf('\n')
      while (nl >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        lines.push(line)
        if (line.startsWith('ack ') && ++acked === acks) child.kill('SIGKILL')
        nl = buf.indexOf('\n')
      }
    })
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearTimeout(guard)
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed (${signal})`))
      else resolve(lines)
    })
  })
}

test('kill -9 in the middle of writes never loses an acknowledged write nor corrupts the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-crash-'))
  try {
    /** name → acceptable final hosts values (undefined = deleted). */
    const expected = new Map<string, (string | undefined)[]>()
    let seed = 12345
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let round = 0; round < 6; round++) {
      const lines = await runAndKill(dir, `r${round}`, 5 + rand(80))
      const last = new Map<string, string | undefined>()
      let inflight: { name: string; value: string | undefined } | undefined
      for (const line of lines) {
        const [kind, op, name, value] = line.split(' ')
        if (kind === 'begin') inflight = { name: name!, value: op === 'delete' ? undefined : value }
        if (kind === 'ack') {
          last.set(name!, op === 'delete' ? undefined : value)
          inflight = undefined
        }
      }
      for (const [name, value] of last) expected.set(name, [value])
      if (inflight)
        expected.set(inflight.name, [...(expected.get(inflight.name) ?? [undefined]), inflight.value])

      const store = createStore({ stateDir: dir })
      for (const [name, ok] of expected) {
        const obj = store.get({
          group: 'networking.istio.io',
          kind: 'VirtualService',
          namespace: 'default',
          name,
        })
        const hosts = (obj?.spec as { hosts?: string[] } | undefined)?.hosts?.[0]
        assert.ok(ok.includes(hosts), `round ${round}: ${name} is ${hosts}, expected one of ${ok.join('|')}`)
        expected.set(name, [hosts])
      }
      assert.ok(store.get({ group: '', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }))
      store.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
