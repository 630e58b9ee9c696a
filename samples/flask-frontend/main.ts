/**
 * @module samples/flask-frontend/main — stand-in for `singharunk/flaskfrontend:latest|v2` (Flask, port
 * 5000). `/` and `/home` show the version page; `/list` reads books and users from the backend at
 * `SERVICE_X:SERVICE_X_PORT` and shows two tables, or (status 200) `Somethig is wrong. You should check
 * backend Microservice call!` when that fails. The version comes from env `FRONTEND_VERSION`.
 */
import { fetchText } from '../lib/fetch.ts'
import { FLASK_404 } from '../lib/flask.ts'
import { listenPort, send, serve } from '../lib/serve.ts'
import { homePage, listPage } from './page.ts'

/** The body `/list` answers when the backend call fails (typo as in the original). */
export const BACKEND_ERROR = 'Somethig is wrong. You should check backend Microservice call!'

const version = process.env.FRONTEND_VERSION || 'v1'
const backend = `http://${process.env.SERVICE_X || 'localhost'}:${process.env.SERVICE_X_PORT || '6000'}`

async function getList(path: string): Promise<Record<string, unknown>[]> {
  const r = await fetchText(`${backend}${path}`, { timeoutMs: 10_000 })
  if (r.status !== 200) throw new Error(`${path}: status ${r.status}`)
  const v = JSON.parse(r.body) as unknown
  if (!Array.isArray(v)) throw new Error(`${path}: not a list`)
  return v as Record<string, unknown>[]
}

serve(
  `flaskfrontend ${version}`,
  async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/' || path === '/home') {
      send(res, 200, homePage(version), 'text/html; charset=utf-8')
      return
    }
    if (path === '/list') {
      try {
        const books = await getList('/api/v1/resources/books/all')
        const users = await getList('/api/v1/resources/users/all')
        send(res, 200, listPage(books, users), 'text/html; charset=utf-8')
      } catch (err) {
        process.stderr.write(`flaskfrontend: backend call failed: ${(err as Error).message}\n`)
        send(res, 200, BACKEND_ERROR, 'text/html; charset=utf-8')
      }
      return
    }
    send(res, 404, FLASK_404, 'text/html; charset=utf-8')
  },
  listenPort(5000),
)
