/**
 * @module runtime/process/records — pid + start-time records of every child in the state dir, so that the
 * next `weir up` on the same state dir kills what a `kill -9`ed run left behind (and never a reused pid).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** One recorded child process (it leads its own process group). */
export interface ProcessRecord {
  pid: number
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
  startTime: number
  what: string
}

/** The start time of a live process, or undefined when it is gone. */
export function processStartTime(pid: number, orZombie = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (!orZombie && (fields[0] === 'Z' || fields[0] === 'X')) return undefined
    const v = Number(fields[19])
    return Number.isFinite(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** True when the recorded process is still the same process. */
export function isAlive(r: ProcessRecord): boolean {
  return processStartTime(r.pid) === r.startTime
}

/** The directory of records for one state dir. */
export function recordsDir(stateDir: string): string {
  return join(stateDir, 'run', 'pids')
}

/** Records a child; returns the function that forgets it. */
export function recordProcess(stateDir: string, pid: number, what: string): () => void {
  const dir = recordsDir(stateDir)
  mkdirSync(dir, { recursive: true })
  // A leader that already exited (a zombie not yet reaped) is still recorded: its group may live on.
  const startTime = processStartTime(pid, true)
  const file = join(dir, `${pid}.json`)
  if (startTime !== undefined)
    writeFileSync(file, JSON.stringify({ pid, startTime, what } satisfies ProcessRecord))
  return () => rmSync(file, { force: true })
}

/** Reads every record (unparsable files are skipped). */
export function readRecords(stateDir: string): ProcessRecord[] {
  const dir = recordsDir(stateDir)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const out: ProcessRecord[] = []
  for (const n of names) {
    try {
      const r = JSON.parse(readFileSync(join(dir, n), 'utf8')) as ProcessRecord
      if (Number.isInteger(r.pid) && r.pid > 1) out.push(r)
    } catch {
      // a half-written record: nothing to kill
    }
  }
  return out
}

/** Pids of live processes in process group `pgid` (zombies excluded). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = []
  let names: string[]
  try {
    names = readdirSync('/proc')
  } catch {
    return out
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(n))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/**
 * The processes a record stands for: its whole group while the leader is the recorded process; once the
 * leader is gone, whatever is left in its group (a group id is not reused while the group has members);
 * nothing when the pid now belongs to another process.
 */
function leftovers(r: ProcessRecord): number[] {
  const start = processStartTime(r.pid)
  if (start !== undefined && start !== r.startTime) return []
  return groupMembers(r.pid)
}

/**
 * Kills (SIGKILL) every process left from the recorded children (their process groups), waits until they
 * are gone (bounded), and clears the records. Returns how many processes were killed.
 */
export async function reapRecorded(stateDir: string, timeoutMs = 3000): Promise<number> {
  const records = readRecords(stateDir)
  const targets = new Set<number>()
  for (const r of records) for (const pid of leftovers(r)) targets.add(pid)
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs
  const live = (): boolean => [...targets].some((pid) => processStartTime(pid) !== undefined)
  while (live() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  rmSync(recordsDir(stateDir), { recursive: true, force: true })
  return targets.size
}
