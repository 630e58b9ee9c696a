/**
 * @module bench/up-memory.bench — the memory of the whole local mesh for the AKS voting tutorial at
 * step 3 (5 pods with sidecars, Redis, the ingress gateway), beside the memory of `weir up` alone.
 */

/*
 * Run: `node_modules/.bin/node bench/up-memory.bench.ts`. Starts `weir up` on a fresh state dir, reads the
 * resident memory (RSS) of its whole process tree with no workloads (the baseline), applies steps 1–3 of
 * the voting tutorial, waits for the pods, sends a few requests through the gateway, and reads the tree's
 * RSS again. Needs `redis-server`. Not a test.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getText, tempState, waitFor } from '../test/runtime/helpers.ts'
import { allReady, listPods, startUpProcess, WEIR_BIN } from '../test/runtime/up-process.ts'
import { shared } from '../test/support/shared.ts'

/** pid → [ppid, rss in kB] for every process, from /proc. */
function processTable(): Map<number, [number, number]> {
  const table = new Map<number, [number, number]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const status = readFileSync(join('/proc', entry, 'status'), 'utf8')
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0)
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0)
      table.set(Number(entry), [ppid, rss])
    } catch {
      // the process ended while we read
    }
  }
  return table
}

/** RSS (MB) of a process and all its descendants, and how many processes that is. */
function treeRss(root: number): { mb: number; processes: number } {
  const table = processTable()
  const children = new Map<number, number[]>()
  for (const [pid, [ppid]] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  let kb = 0
  let processes = 0
  const stack = [root]
  while (stack.length > 0) {
    const pid = stack.pop() as number
    kb += table.get(pid)?.[1] ?? 0
    processes++
    stack.push(...(children.get(pid) ?? []))
  }
  return { mb: kb / 1024, processes }
}

const weir = (state: string, ...args: string[]): string =>
  execFileSync(process.execPath, [WEIR_BIN, ...args], {
    env: { ...process.env, WEIR_STATE: state },
  }).toString()

const state = await tempState()
const up = await startUpProcess(state, [])
try {
  await new Promise((r) => setTimeout(r, 2000))
  const idle = treeRss(up.child.pid as number)
  const dir = shared('scenarios/aks-voting-app')
  weir(state, 'create', 'namespace', 'voting')
  weir(state, 'label', 'namespace', 'voting', 'istio-injection=enabled')
  weir(state, 'apply', '-f', join(dir, 'kubernetes/step-1-create-voting-app.yaml'), '-n', 'voting')
  weir(state, 'apply', '-f', join(dir, 'istio/step-1-create-voting-app-gateway.yaml'), '-n', 'voting')
  await waitFor(
    '5 voting pods ready',
    async () => {
      const pods = await listPods(state, up.apiUrl, 'voting')
      return pods.length === 5 && allReady(pods)
    },
    60_000,
  )
  for (let i = 0; i < 50; i++) await getText(`${up.gatewayUrl}/`)
  const voting = treeRss(up.child.pid as number)
  console.log(`weir up, no workloads:        ${idle.mb.toFixed(0)} MB RSS in ${idle.processes} processes`)
  console.log(`voting tutorial at step 3:    ${voting.mb.toFixed(0)} MB RSS in ${voting.processes} processes`)
  console.log(`ratio to the empty mesh:      ${(voting.mb / idle.mb).toFixed(2)}x`)
} finally {
  await up.stop('SIGINT')
}
