/** @module samples/fortio/load — `fortio load`: `-curl` fetches once and prints it; otherwise runs `-n` calls over `-c` connections and prints the status code counts. */
import { Agent, request } from 'node:http'

/** Parsed `fortio load` flags. */
export interface LoadOptions {
  curl: boolean
  connections: number
  calls: number
  url: string
}

/** Parses `load` arguments (`-c 3 -qps 0 -n 30 -loglevel Warning URL`); unknown flags take one value. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions | string {
  const o: LoadOptions = { curl: false, connections: 4, calls: 40, url: '' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    const flag = a.replace(/^--?/, '')
    if (!a.startsWith('-')) o.url = a
    else if (flag === 'curl') o.curl = true
    else if (flag === 'c') o.connections = Number(argv[++i])
    else if (flag === 'n') o.calls = Number(argv[++i])
    else i++
  }
  if (!o.url) return 'fortio load: missing URL'
  if (!/^https?:\/\//.test(o.url)) o.url = `http://${o.url}`
  if (!(o.connections >= 1) || !(o.calls >= 1)) return 'fortio load: -c and -n must be positive'
  return o
}

interface Reply {
  status: number
  head: string
  body: string
}

function call(url: string, agent: Agent): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: { 'user-agent': 'fortio.org/fortio-1.69.0' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const lines = [`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`]
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
        resolve({
          status: res.statusCode ?? -1,
          head: lines.join('\r\n'),
          body: Buffer.concat(chunks).toString(),
        })
      })
      res.on('error', () => resolve({ status: -1, head: '', body: '' }))
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve({ status: -1, head: '', body: '' }))
    req.end()
  })
}

/** Runs the load and returns what fortio prints. */
export async function runLoad(o: LoadOptions): Promise<{ output: string; exitCode: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections })
  try {
    if (o.curl) {
      const r = await call(o.url, agent)
      if (r.status < 0) return { output: `Error fetching ${o.url}\n`, exitCode: 1 }
      return { output: `${r.head}\r\n\r\n${r.body}`, exitCode: 0 }
    }
    const counts = new Map<number, number>()
    let next = 0
    const started = Date.now()
    const worker = async (): Promise<void> => {
      while (next < o.calls) {
        next++
        const r = await call(o.url, agent)
        counts.set(r.status, (counts.get(r.status) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: Math.min(o.connections, o.calls) }, worker))
    const secs = (Date.now() - started) / 1000
    const lines = [
      `Fortio 1.69.0 running at 0 queries per second, ${o.connections}->${o.connections} procs, for ${o.calls} calls: ${o.url}`,
      `Starting at max qps with ${o.connections} thread(s) [gomax 2] for exactly ${o.calls} calls (${Math.ceil(o.calls / o.connections)} per thread + 0)`,
      `Ended after ${secs.toFixed(3)}s : ${o.calls} calls. qps=${(o.calls / Math.max(secs, 0.001)).toFixed(1)}`,
    ]
    for (const [code, n] of [...counts].sort((a, b) => a[0] - b[0])) {
      lines.push(`Code ${code} : ${n} (${((100 * n) / o.calls).toFixed(1)} %)`)
    }
    lines.push(`All done ${o.calls} calls (plus 0 warmup)`)
    return { output: `${lines.join('\n')}\n`, exitCode: 0 }
  } finally {
    agent.destroy()
  }
}
