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
    ? `<span class="user">${html(user)}</span> <a href="/logout" class="signout">sign out</a>`
    : `<form method="post" action="/login" class="login">
        <input type="text" name="username" placeholder="User Name">
        <input type="password" name="passwd" placeholder="Password">
        <button type="submit">Sign in</button>
      </form>`
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Simple Bookstore App</title>
</head>
<body>
<nav class="navbar">
  <a class="brand" href="#">BookInfo Sample</a>
  <div class="auth">
      ${auth}
  </div>
</nav>
${body}
</body>
</html>
`
}

const STAR =
  '<svg class="w-5 h-5 COLOR" fill="FILL" stroke="currentColor" viewBox="0 0 24 24"><path d="M12 2l3 7h7l-5.5 4.5L18 21l-6-4-6 4 1.5-7.5L2 9h7z"/></svg>'

function stars(n: number, color: string): string {
  const cls = `text-${html(color)}-500`
  const full = STAR.replace('COLOR', cls).replace('FILL', 'currentColor')
  const empty = STAR.replace('COLOR', cls).replace('FILL', 'none')
  const k = Math.max(0, Math.min(5, Math.round(n)))
  return full.repeat(k) + empty.repeat(5 - k)
}

function detailsSection(d: BackendAnswer): string {
  if (d.status !== 200) {
    return `<div class="details">
  <h4>Error fetching product details</h4>
  <p>${html(String(d.body.error ?? ''))}</p>
</div>`
  }
  const row = (k: string, label: string): string =>
    `    <dt>${label}:</dt><dd>${html(String(d.body[k] ?? ''))}</dd>`
  return `<div class="details">
  <h4>Book Details</h4>
  <dl>
${[row('type', 'Type'), row('pages', 'Pages'), row('publisher', 'Publisher'), row('language', 'Language'), row('ISBN-10', 'ISBN-10'), row('ISBN-13', 'ISBN-13')].join('\n')}
  </dl>
</div>`
}

function reviewsSection(r: BackendAnswer): string {
  if (r.status !== 200) {
    return `<div class="reviews">
  <h4>Error fetching product reviews!</h4>
  <p>${html(String(r.body.error ?? ''))}</p>
</div>`
  }
  const list = Array.isArray(r.body.reviews) ? (r.body.reviews as Record<string, unknown>[]) : []
  const items = list.map((rev) => {
    const rating = (rev.rating ?? {}) as { stars?: number; color?: string; error?: string }
    let ratingHtml = ''
    if (typeof rating.stars === 'number')
      ratingHtml = `\n    <div class="rating">${stars(rating.stars, rating.color ?? 'black')}</div>`
    else if (rating.error) ratingHtml = `\n    <p class="text-red-500">${html(rating.error)}</p>`
    return `  <blockquote>
    <p>${html(String(rev.text ?? ''))}</p>
    <small>${html(String(rev.reviewer ?? ''))}</small>${ratingHtml}
  </blockquote>`
  })
  return `<div class="reviews">
  <h4>Book Reviews</h4>
${items.join('\n')}
  <dl><dt>Reviews served by:</dt><dd><u>${html(String(r.body.podname ?? ''))}</u>${r.body.clustername && r.body.clustername !== 'null' ? ` on cluster <u>${html(String(r.body.clustername))}</u>` : ''}</dd></dl>
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
