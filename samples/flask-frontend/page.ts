/** @module samples/flask-frontend/page — the frontend's HTML pages. */
import { html } from '../lib/serve.ts'

function layout(body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Microservice Testing</title>
  <link rel="stylesheet" href="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">
</head>
<body>
  <nav class="navbar navbar-expand-lg navbar-dark bg-dark">
    <a class="navbar-brand" href="/home">Microservice Testing</a>
    <ul class="navbar-nav">
      <li class="nav-item"><a class="nav-link" href="/home">Home</a></li>
      <li class="nav-item"><a class="nav-link" href="/list">List</a></li>
    </ul>
  </nav>
  <div class="container">
${body}
  </div>
</body>
</html>
`
}

/** The home page; its sentence is the version marker (`… testing` in v1, `… testing v2` in v2). */
export function homePage(version: string): string {
  const suffix = version === 'v1' ? '' : ` ${version}`
  return layout(`    <h3>This Micro Website is for Istio testing${html(suffix)}</h3>`)
}

function table(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const head = columns.map((c) => `<th>${html(c)}</th>`).join('')
  const body = rows
    .map((r) => `      <tr>${columns.map((c) => `<td>${html(String(r[c] ?? ''))}</td>`).join('')}</tr>`)
    .join('\n')
  return `    <table class="table">\n      <tr>${head}</tr>\n${body}\n    </table>`
}

/** The `/list` page: the books table, then the cars/users table. */
export function listPage(
  books: readonly Record<string, unknown>[],
  users: readonly Record<string, unknown>[],
): string {
  return layout(
    [
      '    <h4>This section fetches data from books backend webservices</h4>',
      table(['id', 'title', 'author', 'year_published'], books),
      '    <h4>This section fetches data from cars backend webservices</h4>',
      table(['id', 'name', 'car', 'color', 'bought'], users),
    ].join('\n'),
  )
}
