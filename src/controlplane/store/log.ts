/**
 * @module controlplane/store/log — the durable record of the store: an append-only file of JSON lines,
 * each prefixed with its CRC-32, fsynced on every commit. Recovery keeps every whole record up to the
 * first torn or corrupt one and cuts the file there. Compaction writes a temp file, fsyncs it and
 * renames it over the log, so a crash leaves either the old log or the new one.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { KubeObject } from './types.ts'

/** One committed change. `rv` is the store's resourceVersion after it. */
export type LogRecord =
  | { op: 'put'; rv: number; obj: KubeObject }
  | { op: 'del'; rv: number; key: string }
  | { op: 'rv'; rv: number }

/** An open log. */
export interface StoreLog {
  /** Every record recovered when the log was opened, in order. */
  readonly recovered: readonly LogRecord[]
  /** Bytes recovery cut off: a torn last record (a crash mid-write) or a corrupt tail. */
  readonly droppedBytes: number
  /** Appends and fsyncs one record; returns once it is durable. */
  append(rec: LogRecord): void
  /** Number of records in the file now. */
  size(): number
  /** Replaces the log with exactly these records (write temp, fsync, rename, fsync dir). */
  compact(records: readonly LogRecord[]): void
  close(): void
}

const FILE = 'store.log'

function encode(rec: LogRecord): string {
  const json = JSON.stringify(rec)
  const sum = crc32(json).toString(16).padStart(8, '0')
  return `${sum} ${json}\n`
}

function decode(line: string): LogRecord | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined
  const json = line.slice(9)
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined
  try {
    return JSON.parse(json) as LogRecord
  } catch {
    return undefined
  }
}

/** Reads the records of a log file; `good` is the byte length of the valid prefix. */
function recover(path: string): { records: LogRecord[]; good: number; total: number } {
  if (!existsSync(path)) return { records: [], good: 0, total: 0 }
  const buf = readFileSync(path)
  const records: LogRecord[] = []
  let start = 0
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start)
    if (nl < 0) break
    const rec = decode(buf.subarray(start, nl).toString('utf8'))
    if (!rec) break
    records.push(rec)
    start = nl + 1
  }
  return { records, good: start, total: buf.length }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** Opens (creating when needed) the log in `dir`, recovering what a crash left. */
export function openStoreLog(dir: string): StoreLog {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, FILE)
  const { records, good, total } = recover(path)
  let fd = openSync(path, 'a+')
  const droppedBytes = total - good
  if (droppedBytes > 0) {
    ftruncateSync(fd, good)
    fdatasyncSync(fd)
  }
  let count = records.length
  let bytes = good
  return {
    recovered: records,
    droppedBytes,
    append(rec) {
      const line = Buffer.from(encode(rec))
      try {
        let done = 0
        while (done < line.length) done += writeSync(fd, line, done)
        fdatasyncSync(fd)
      } catch (err) {
        // Cut a partial record off so that later records are not written after garbage.
        try {
          ftruncateSync(fd, bytes)
        } catch {
          // Recovery stops at the partial record anyway.
        }
        throw err
      }
      bytes += line.length
      count++
    },
    size: () => count,
    compact(all) {
      const tmp = `${path}.tmp`
      const text = all.map(encode).join('')
      const tfd = openSync(tmp, 'w')
      try {
        writeSync(tfd, text)
        fsyncSync(tfd)
      } finally {
        closeSync(tfd)
      }
      renameSync(tmp, path)
      fsyncDir(dir)
      closeSync(fd)
      fd = openSync(path, 'a+')
      count = all.length
      bytes = Buffer.byteLength(text)
    },
    close() {
      closeSync(fd)
    },
  }
}
