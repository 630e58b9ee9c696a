/** @module samples/voting-app/page — the voting page's HTML (same markers as the original). */
import { html } from '../lib/serve.ts'

/** What the page shows. */
export interface VotePage {
  title: string
  vote1: string
  vote2: string
  /** The analytics `text`, shown in `<div id="results">`. */
  analytics: string
  showDetails: boolean
  hostName: string
  store: 'redis' | 'mysql'
  featureFlagEnabled: boolean
  featureFlagSet: boolean
}

/** Renders the page. The footer keeps the originals' `store: mysql</br/>` typo in 2.0. */
export function renderVotePage(p: VotePage): string {
  const details = p.showDetails
    ? `      host: ${html(p.hostName)}<br/>\n      store: ${p.store === 'redis' ? 'redis<br/>' : 'mysql</br/>'}\n`
    : ''
  const set = p.featureFlagSet ? 'set' : '<a href="#" onclick="document.setfeatureflag.submit();">set</a>'
  const clear = p.featureFlagSet
    ? '<a href="#" onclick="document.clearfeatureflag.submit();">clear</a>'
    : 'clear'
  const flag = p.featureFlagEnabled ? `      feature flag: ${set} | ${clear}\n` : ''
  return `<!DOCTYPE html>
<html>
<head>
    <title>${html(p.title)}</title>
    <link rel="stylesheet" type="text/css" href="/css/main.css">
</head>
<body>
<div id="container">
  <form name="setfeatureflag" action="/featureflag/set" method="post"></form>
  <form name="clearfeatureflag" action="/featureflag/clear" method="post"></form>
  <form id="form" name="form" action="/" method="post">
    <div id="logo">${html(p.title)}</div>
    <div id="form">
      <button name="vote" value="${html(p.vote1)}" class="button button1">${html(p.vote1)}</button>
      <button name="vote" value="${html(p.vote2)}" class="button button2">${html(p.vote2)}</button>
      <button name="vote" value="reset" class="button button3">Reset</button>
      <div id="results"> ${html(p.analytics)} </div>
    </div>
    <div id="footer">
${details}${flag}    </div>
  </form>
</div>
</body>
</html>
`
}

/** A small stylesheet served at `/css/main.css`. */
export const MAIN_CSS = `body { background-color: #F8F8F8; font-family: Arial, sans-serif; }
#container { width: 400px; margin: 40px auto; text-align: center; }
#logo { font-size: 30px; color: #0078D7; margin-bottom: 20px; }
.button { width: 120px; height: 40px; margin: 6px; font-size: 18px; color: white; border: none; }
.button1 { background-color: #0078D7; } .button2 { background-color: #00BCF2; } .button3 { background-color: #777; }
#results { margin-top: 20px; font-size: 20px; }
#footer { margin-top: 30px; font-size: 12px; color: #888; }
`
