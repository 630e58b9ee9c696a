/**
 * @module samples/fortio/main — stand-in for `fortio/fortio`: `server` (the image's default) answers
 * every request on 8080 with 200 and echoes a POST body; `load …` is the load client the circuit-breaking
 * task execs (`fortio load -curl URL`, `fortio load -c 3 -qps 0 -n 30 -loglevel Warning URL`).
 */
import { listenPort, readBody, send, serve } from '../lib/serve.ts'
import { parseLoadArgs, runLoad } from './load.ts'

const [cmd = 'server', ...rest] = process.argv.slice(2)
if (cmd === 'load') {
  const o = parseLoadArgs(rest)
  if (typeof o === 'string') {
    process.stderr.write(`${o}\n`)
    process.exit(64)
  }
  const { output, exitCode } = await runLoad(o)
  process.stdout.write(output)
  process.exit(exitCode)
} else if (cmd === 'server') {
  serve(
    'fortio',
    async (req, res) => {
      const body = await readBody(req)
      send(res, 200, body, req.headers['content-type'] ?? 'text/plain; charset=utf-8')
    },
    listenPort(8080),
  )
} else {
  process.stderr.write(`fortio: unknown command ${JSON.stringify(cmd)} (use server or load)\n`)
  process.exit(64)
}
