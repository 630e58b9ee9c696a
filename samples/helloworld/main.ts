/**
 * @module samples/helloworld/main — stand-in for `registry.istio.io/release/examples-helloworld-v1|v2`
 * (Flask, port 5000). `GET /hello` burns some CPU, then answers `Hello version: <SERVICE_VERSION>,
 * instance: <HOSTNAME>\n`; `GET /health` → `Helloworld is healthy`.
 */
import { FLASK_404 } from '../lib/flask.ts'
import { listenPort, podName, send, serve } from '../lib/serve.ts'

const version = process.env.SERVICE_VERSION || 'v1'

/** About 1e6 square roots, as the original does to give the autoscaler something to see. */
function burnCpu(): number {
  let x = 0.0001
  for (let i = 0; i < 1_000_000; i++) x += Math.sqrt(x)
  return x
}

serve(
  `helloworld ${version}`,
  (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/hello') {
      burnCpu()
      send(res, 200, `Hello version: ${version}, instance: ${podName()}\n`, 'text/html; charset=utf-8')
      return
    }
    if (path === '/health') {
      send(res, 200, 'Helloworld is healthy', 'text/html; charset=utf-8')
      return
    }
    send(res, 404, FLASK_404, 'text/html; charset=utf-8')
  },
  listenPort(5000),
)
