/**
 * @module samples/web/main — stand-in for `tkubica/web:1|2` (Go/martini). `GET /` answers
 * `Version N: server id <uuid>` (no newline); the uuid is made once per process, so it names the pod.
 * The version comes from env `WEB_VERSION`; the port from `PORT`.
 */
import { randomUUID } from 'node:crypto'
import { listenPort, send, serve } from '../lib/serve.ts'

const version = process.env.WEB_VERSION || '1'
const id = randomUUID()

serve(
  `web v${version}`,
  (req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, 200, `Version ${version}: server id ${id}`)
      return
    }
    send(res, 404, '404 page not found\n')
  },
  listenPort(80),
)
