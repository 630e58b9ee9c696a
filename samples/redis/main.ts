/**
 * @module samples/redis/main — stand-in for `redis:*`: runs the real `redis-server` on `--port`/`PORT`
 * (default 6379), bound to `HOST` (default 0.0.0.0), without persistence, protected mode off as in the
 * Docker image. Prints `redis listening on redis://HOST:PORT` when Redis accepts connections.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireBinary, runServer } from '../lib/launch.ts'
import { listenHost, listenPort } from '../lib/serve.ts'

const bin = requireBinary(['redis-server'], 'redis-server')
const port = listenPort(6379)
const host = listenHost()
const dir = mkdtempSync(join(tmpdir(), 'weir-redis-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const args = [
  '--port',
  String(port),
  '--bind',
  host,
  '--protected-mode',
  'no',
  '--save',
  '',
  '--appendonly',
  'no',
]
runServer(bin, [...args, '--dir', dir], /Ready to accept connections/, () => {
  process.stdout.write(`redis listening on redis://${host}:${port}\n`)
})
