/**
 * @module runtime/probe — readiness checks as the kubelet runs them: httpGet (2xx/3xx), tcpSocket, exec
 * (exit 0), grpc (grpc.health.v1 SERVING); without a probe, the container port accepting connections.
 */
import { spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { connect as http2Connect } from 'node:http2'
import { connect } from 'node:net'
import type { Container, Probe } from './kube.ts'

/** Where and how to run a container's probe. */
export interface ProbeTarget {
  /** The address the app listens on. */
  host: string
  container: Container
  /** The container's first port (catalog or spec) for the default check. */
  defaultPort: number | undefined
  /** Runs an exec probe's command in the pod's view (argv prefix + env). */
  exec?: (command: readonly string[], timeoutMs: number) => Promise<boolean>
}

/** Resolves a named port through the container's ports. */
export function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port
  if (port === undefined) return undefined
  if (/^\d+$/.test(port)) return Number(port)
  return container.ports?.find((p) => p.name === port)?.containerPort
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port })
    const done = (ok: boolean): void => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(timeoutMs, () => done(false))
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

function httpCheck(
  host: string,
  port: number,
  p: NonNullable<Probe['httpGet']>,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.30' }
    for (const h of p.httpHeaders ?? []) headers[h.name] = h.value
    const req = httpRequest(
      { host, port, path: p.path ?? '/', method: 'GET', headers, timeout: timeoutMs },
      (res) => {
        res.resume()
        const code = res.statusCode ?? 0
        resolve(code >= 200 && code < 400)
      },
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** grpc.health.v1.Health/Check: request `{service}`, answer SERVING (1). */
function grpcCheck(host: string, port: number, service: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const svc = Buffer.from(service, 'utf8')
    const msg = svc.length > 0 ? Buffer.concat([Buffer.from([0x0a, svc.length]), svc]) : Buffer.alloc(0)
    const frame = Buffer.alloc(5 + msg.length)
    frame.writeUInt32BE(msg.length, 1)
    msg.copy(frame, 5)
    let settled = false
    const finish = (ok: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      client.close()
      client.destroy()
      resolve(ok)
    }
    const client = http2Connect(`http://${host}:${port}`)
    const timer = setTimeout(() => finish(false), timeoutMs)
    client.on('error', () => finish(false))
    const req = client.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('error', () => finish(false))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      // Message: field 1 (status) varint; SERVING = 1.
      finish(body.length >= 7 && body[5] === 0x08 && body[6] === 1)
    })
    req.end(frame)
  })
}

/** Runs one check of the container's readiness probe (or the default port check). */
export async function runProbe(target: ProbeTarget, probe: Probe | undefined): Promise<boolean> {
  const timeoutMs = Math.max(1, probe?.timeoutSeconds ?? 1) * 1000
  const c = target.container
  if (probe?.httpGet) {
    const port = resolvePort(c, probe.httpGet.port)
    return port !== undefined && httpCheck(probe.httpGet.host ?? target.host, port, probe.httpGet, timeoutMs)
  }
  if (probe?.tcpSocket) {
    const port = resolvePort(c, probe.tcpSocket.port)
    return port !== undefined && tcpCheck(probe.tcpSocket.host ?? target.host, port, timeoutMs)
  }
  if (probe?.grpc) return grpcCheck(target.host, probe.grpc.port, probe.grpc.service ?? '', timeoutMs)
  if (probe?.exec) return target.exec ? target.exec(probe.exec.command, timeoutMs) : false
  if (target.defaultPort === undefined) return true
  return tcpCheck(target.host, target.defaultPort, timeoutMs)
}

/** Runs a command with a time limit; true on exit 0. */
export function execCheck(
  argv: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: 'ignore', detached: true })
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    }, timeoutMs)
    child.on('error', () => resolve(false))
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve(code === 0)
    })
  })
}
