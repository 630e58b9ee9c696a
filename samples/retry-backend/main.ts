/**
 * @module samples/retry-backend/main — stand-in for `tkubica/retry-backend` (CherryPy, port 80).
 * `GET /?failRate=N&mode=M` (defaults 50 and `crash`) draws r in 1..100; when N > r it fails: `crash`
 * sleeps 2 s (env `CRASH_DELAY_SECONDS`) and then the whole process exits with code 69, cutting every
 * connection; any other mode answers 503 with CherryPy's "Overloaded" error page. Otherwise 200 `OK`.
 */
import { randomInt } from 'node:crypto'
import { listenPort, send, serve } from '../lib/serve.ts'

const crashDelayMs = Number(process.env.CRASH_DELAY_SECONDS || 2) * 1000

/** CherryPy's error page for `status` with `message`. */
export function cherrypyError(status: string, message: string): string {
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"></meta>
    <title>${status}</title>
    <style type="text/css">
    #powered_by {
        margin-top: 20px;
        border-top: 2px solid black;
        font-style: italic;
    }

    #traceback {
        color: red;
    }
    </style>
</head>
    <body>
        <h2>${status}</h2>
        <p>${message}</p>
        <pre id="traceback"></pre>
    <div id="powered_by">
      <span>
        Powered by <a href="http://www.cherrypy.org">CherryPy 18.5.0</a>
      </span>
    </div>
    </body>
</html>
`
}

serve(
  'retry-backend',
  (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/' && url.pathname !== '/index') {
      send(
        res,
        404,
        cherrypyError('404 Not Found', `The path '${url.pathname}' was not found.`),
        'text/html;charset=utf-8',
      )
      return
    }
    const failRate = Number(url.searchParams.get('failRate') ?? 50)
    const mode = url.searchParams.get('mode') ?? 'crash'
    const r = randomInt(1, 101)
    if (failRate > r) {
      if (mode === 'crash') {
        process.stdout.write(`failing (failRate=${failRate}, r=${r}): crashing in ${crashDelayMs} ms\n`)
        setTimeout(() => process.exit(69), crashDelayMs)
        return
      }
      send(res, 503, cherrypyError('503 Service Unavailable', 'Overloaded'), 'text/html;charset=utf-8')
      return
    }
    send(res, 200, 'OK', 'text/html;charset=utf-8')
  },
  listenPort(80),
)
