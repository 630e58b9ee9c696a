/**
 * @module samples/boutique-frontend/main — stand-in for Online Boutique's `frontend` (Go, port 8080; the
 * tutorial's gateway routes to it, its manifest was not copied). `GET /` → the home page titled
 * "Online Boutique"; `GET /_healthz` → `ok`; `GET /product/<id>` shows the product page.
 */
import { html, listenPort, send, serve } from '../lib/serve.ts'

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>${html(title)}</title>
</head>
<body>
  <header><a href="/" class="navbar-brand">Online Boutique</a></header>
  <main>
${body}
  </main>
</body>
</html>
`
}

serve(
  'frontend',
  (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === '/_healthz') return send(res, 200, 'ok')
    if (path === '/')
      return send(res, 200, page('Online Boutique', '    <h1>Hot Products</h1>'), 'text/html; charset=utf-8')
    const m = /^\/product\/([A-Z0-9]+)$/.exec(path)
    if (m) {
      return send(
        res,
        200,
        page('Online Boutique', `    <h2>Product ${html(m[1] ?? '')}</h2>`),
        'text/html; charset=utf-8',
      )
    }
    send(res, 404, '404 page not found\n')
  },
  listenPort(8080),
)
