/** Pid records: the next run kills what a killed run left behind, and never a process that merely reuses a pid. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { reapRecorded, recordProcess, recordsDir } from '../../src/runtime/process/records.ts'
import { alive, tempState, waitFor } from './helpers.ts'

test('after the leader died, what is left in its group is still reaped', async () => {
  const state = await tempState()
  const leader = spawn('sh', ['-c', 'sleep 60 & echo $!'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  recordProcess(state, leader.pid as number, 'demo/pod/app')
  const orphan = Number(
    await new Promise<string>((resolve) =>
      leader.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())),
    ),
  )
  const pid = leader.pid as number
  await waitFor('leader exited', () => !alive(pid), 5000)
  try {
    assert.equal(alive(orphan), true)
    assert.equal(await reapRecorded(state), 1)
    await waitFor('orphan gone', () => !alive(orphan), 5000)
  } finally {
    try {
      process.kill(orphan, 'SIGKILL')
    } catch {}
  }
})

test('reapRecorded kills recorded process groups (children included) and spares pid reuse', async () => {
  const state = await tempState()
  // A leader with a child of its own, in its own process group, as a container is started.
  const leader = spawn('sh', ['-c', 'sleep 60 & echo $!; wait'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const grandchild = Number(
    await new Promise<string>((resolve) =>
      leader.stdout.once('data', (c: Buffer) => resolve(c.toString().trim())),
    ),
  )
  const pid = leader.pid as number
  recordProcess(state, pid, 'demo/pod/app')
  // A record whose start time does not match (the pid now belongs to someone else): left alone.
  const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' })
  mkdirSync(recordsDir(state), { recursive: true })
  writeFileSync(
    join(recordsDir(state), 'x.json'),
    JSON.stringify({ pid: bystander.pid, startTime: 1, what: 'old' }),
  )
  try {
    assert.equal(await reapRecorded(state), 2)
    await waitFor(
      'leader and its child gone',
      () => (!alive(grandchild) && leader.exitCode !== null) || leader.signalCode !== null,
      5000,
    )
    assert.equal(alive(grandchild), false)
    assert.equal(alive(bystander.pid as number), true)
  } finally {
    process.kill(-pid, 'SIGKILL')
    bystander.kill('SIGKILL')
  }
})
