/** @module bench/push-clients — child process of push.bench.ts: N simulated proxies on one push server. */
import { type ConfigStream, connectConfigStream } from '../src/xds/client.ts'

const [url, token, countText] = process.argv.slice(2)
const count = Number(countText)
if (!url || !token || !Number.isInteger(count)) {
  process.stderr.write('usage: push-clients.ts <url> <token> <count>\n')
  process.exit(64)
}
const streams: ConfigStream[] = []
for (let i = 0; i < count; i++) {
  streams.push(
    connectConfigStream({
      url,
      token,
      node: { id: `pod-${i}.ns-${i % 20}`, namespace: `ns-${i % 20}`, proxyVersion: 'bench' },
      backoff: { initialMs: 200, maxMs: 2000 },
      onConfig: () => ({ ok: true }),
    }),
  )
  // Connect in batches so the server's accept queue is not flooded.
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20))
}
process.stdout.write('connected\n')
process.on('SIGTERM', () => {
  for (const s of streams) s.close()
  process.exit(0)
})
