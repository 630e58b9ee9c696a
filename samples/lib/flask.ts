/** @module samples/lib/flask — answers shaped like Flask's (its 404 page, `jsonify` with sorted keys). */

/** Flask/Werkzeug's 404 page. */
export const FLASK_404 = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`

/** JSON as Flask's `jsonify` writes it: keys sorted, 2-space indent, final newline. */
export function jsonify(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v), 2)}\n`
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}
