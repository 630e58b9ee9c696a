/** @module samples/bookinfo-productpage/page — productpage's HTML: the product, its details and its reviews. */
import { html } from '../lib/serve.ts'
import type { BackendAnswer } from './backends.ts'

/** The one product Bookinfo sells. */
export const PRODUCT = {
  id: 0,
  title: 'The Comedy of Errors',
  descriptionHtml:
    '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: The Comedy of Errors is one of <b>William Shakespeare\'s</b> early plays. It is his shortest and one of his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.',
}

function layout(body: string, user: string | undefined): string {
  const auth = user
    ? `<p class="user">${html(user)}</p>
        <a href="logout" class="signout">Sign out</a>`
    : `<button type="button" id="sign-in-button">Sign in</button>
        <dialog id="dialog">
          <h2>Sign in to BookInfo</h2>
          <form method="post" action="login" name="login_form">
            <label for="username">Username</label> <input id="username" name="username" required>
            <label for="password">Password</label> <input id="password" name="passwd" type="password" required>
            <button type="submit">Sign in</button>
          </form>
        </dialog>`
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Simple Bookstore App</title>
</head>
<body>
<nav class="bg-gray-800">
  <a href="#" class="brand">BookInfo Sample</a>
  <div class="auth">
        ${auth}
  </div>
</nav>
${body}
</body>
</html>
`
}

const FILLED_STAR =
  '<svg class="h-5 w-5 flex-none" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M12 2l3 7h7l-5.5 4.5L18 21l-6-4-6 4 1.5-7.5L2 9h7z"/></svg>'
const EMPTY_STAR =
  '<svg class="h-5 w-5 flex-none" viewBox="0 0 24 24" fill="none" stroke="currentColor" aria-hidden="true"><path d="M12 2l3 7h7l-5.5 4.5L18 21l-6-4-6 4 1.5-7.5L2 9h7z"/></svg>'

/** N filled and 5−N empty stars in a `text-{color}-500` group. */
function stars(n: number, color: string): string {
  const k = Math.max(0, Math.min(5, Math.round(n)))
  return `<div class="flex gap-x-1 text-${html(color)}-500">${FILLED_STAR.repeat(k)}${EMPTY_STAR.repeat(5 - k)}</div>`
}

function errorBlock(heading: string, answer: BackendAnswer): string {
  const text =
    answer.body.error === undefined
      ? ''
      : `\n  <p class="text-lg text-gray-600">${html(String(answer.body.error))}</p>`
  return `  <p class="text-2xl text-red-500">${heading}</p>${text}`
}

function detailsSection(d: BackendAnswer): string {
  if (d.status !== 200)
    return `<div class="details">\n${errorBlock('Error fetching product details', d)}\n</div>`
  const cols = ['ISBN-10', 'Publisher', 'Pages', 'Type', 'Language']
  const keys = ['ISBN-10', 'publisher', 'pages', 'type', 'language']
  return `<div class="details">
  <h4 class="text-3xl font-semibold">Book Details</h4>
  <table>
    <thead><tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
    <tbody><tr>${keys.map((k) => `<td>${html(String(d.body[k] ?? ''))}</td>`).join('')}</tr></tbody>
  </table>
</div>`
}

function reviewsSection(r: BackendAnswer): string {
  if (r.status !== 200)
    return `<div class="reviews">\n${errorBlock('Error fetching product reviews!', r)}\n</div>`
  const list = Array.isArray(r.body.reviews) ? (r.body.reviews as Record<string, unknown>[]) : []
  const cluster = r.body.clustername
  const servedBy = `Reviews served by: ${html(String(r.body.podname ?? ''))}${cluster !== undefined && cluster !== 'null' ? ` on cluster <div>${html(String(cluster))}</div>` : ''}`
  const items = list.map((rev) => {
    const rating = (rev.rating ?? {}) as { stars?: number; color?: string; error?: string }
    let ratingHtml = ''
    if (typeof rating.stars === 'number' && rating.stars > 0)
      ratingHtml = `\n    ${stars(rating.stars, rating.color ?? 'black')}`
    else if (rating.error) ratingHtml = `\n    <p class="text-red-500">${html(rating.error)}</p>`
    return `  <section>${ratingHtml}
    <blockquote><p>"${html(String(rev.text ?? ''))}"</p></blockquote>
    <div class="font-semibold text-gray-900">${html(String(rev.reviewer ?? ''))}</div>
    <div class="mt-0.5 text-gray-600 font-mono">${servedBy}</div>
  </section>`
  })
  return `<div class="reviews">
  <h4 class="text-3xl font-semibold">Book Reviews</h4>
${items.join('\n')}
</div>`
}

/** `/productpage`. */
export function productPage(
  user: string | undefined,
  details: BackendAnswer,
  reviews: BackendAnswer,
): string {
  return layout(
    `<div class="product">
  <h1>${html(PRODUCT.title)}</h1>
  <p class="summary">${PRODUCT.descriptionHtml}</p>
</div>
${detailsSection(details)}
${reviewsSection(reviews)}`,
    user,
  )
}

/** `/` and `/index.html`: the landing page with the services table. */
export function indexPage(): string {
  const rows = [
    ['productpage', 'details', 'reviews'],
    ['details', '', ''],
    ['reviews', 'ratings', ''],
    ['ratings', '', ''],
  ]
    .map(([name, a, b]) => `  <tr><td>${name}</td><td>${[a, b].filter(Boolean).join(', ')}</td></tr>`)
    .join('\n')
  return layout(
    `<h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3>
<table class="services">
  <tr><th>Name</th><th>Endpoints</th></tr>
${rows}
</table>
<p><a href="/productpage?u=normal">Normal user</a> <a href="/productpage?u=test">Test user</a></p>`,
    undefined,
  )
}
