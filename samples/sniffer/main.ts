/**
 * @module samples/sniffer/main — stand-in for `tkubica/sniffer` (tcpdump with env `args`, e.g.
 * `tcp port 80`). Listens on `PORT` when the runtime sets it, else on the port named in `args`, else 80, and prints every request it
 * receives: method, path, Host and the other headers. It answers 200 with an empty body.
 */
import { listenPort, readBody, send, serve } from '../lib/serve.ts'

const fromArgs = /\bport\s+(\d+)/.exec(process.env.args ?? '')?.[1]
const port = listenPort(fromArgs !== undefined ? Number(fromArgs) : 80)

serve(
  'sniffer',
  async (req, res) => {
    const body = await readBody(req)
    const lines = [
      `${new Date().toISOString()} ${req.socket.remoteAddress} > ${req.method} ${req.url} HTTP/${req.httpVersion}`,
    ]
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`    ${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
    if (body) lines.push(`    (${Buffer.byteLength(body)} bytes of body)`)
    process.stdout.write(`${lines.join('\n')}\n`)
    send(res, 200, '')
  },
  port,
)
