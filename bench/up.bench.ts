/** @module bench/up.bench — `weir up` start-up: from spawn to the ready line, with no workloads (goal: under 2 s). */

/*
 * Run: `node_modules/.bin/node bench/up.bench.ts [rounds=5]`. Each round starts `weir up --gateway-port 0` on
 * a fresh state dir, measures the time until it prints its ready line, then stops it with SIGINT. The
 * baseline, measured the same way in the same run, is `weir --version` (Node start-up plus loading the CLI),
 * so the ratio shows what `weir up` itself adds. Not a test.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEIR = fileURLToPath(new URL('../bin/weir.js', import.meta.url))

function timeUntil(args: string[], marker: RegExp | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [WEIR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let done = false
    const finish = (ms: number): void => {
      if (done) return
      done = true
      resolve(ms)
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no ready line within 30 s:\n${out}`))
    }, 30_000)
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (marker?.test(out)) {
        const ms = performance.now() - t0
        child.kill('SIGINT')
        child.once('exit', () => {
          clearTimeout(timer)
          finish(ms)
        })
      }
    })
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.on('exit', () => {
      if (!marker) {
        clearTimeout(timer)
        finish(performance.now() - t0)
      }
    })
  })
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

const rounds = Number(process.argv[2] ?? 5)
const base: number[] = []
const up: number[] = []
for (let i = 0; i < rounds; i++) {
  base.push(await timeUntil(['--version'], undefined))
  const state = mkdtempSync(join(tmpdir(), 'weir-up-bench-'))
  up.push(await timeUntil(['up', '--gateway-port', '0', '--state', state], /weir up: ready/))
  rmSync(state, { recursive: true, force: true })
}
const b = median(base)
const u = median(up)
process.stdout.write(
  `weir up to ready (no workloads): median ${u.toFixed(0)} ms over ${rounds} rounds (goal < 2000 ms)\n` +
    `baseline weir --version: median ${b.toFixed(0)} ms; ratio ${(u / b).toFixed(2)}x; load ${loadavg()[0]?.toFixed(2)}\n`,
)
