/** @module dashboard/src/main — the dashboard: versioned service graph, routes with traffic shifting, proxies, config. */
import cytoscape from 'cytoscape'
import './style.css'

interface GraphNode {
  id: string
  app: string
  version: string
  namespace: string
  health: string
  requests: number
}
interface GraphEdge {
  source: string
  target: string
  requests: number
  errors: number
  rps: number | null
  percent: number
  health: string
  mtls: boolean
}
interface Graph {
  windowSeconds: number
  nodes: GraphNode[]
  edges: GraphEdge[]
}
interface RouteShare {
  host: string
  subset?: string
  port?: number
  weight: number
}
interface RuleView {
  index: number
  name?: string
  match: string
  routes: RouteShare[]
}
interface ServiceRoutes {
  namespace: string
  name: string
  hosts: string[]
  gateways: string[]
  rules: RuleView[]
}
interface ProxyRow {
  proxy: string
  state: string
  runningVersion?: string
  connectedAt: string
}
interface ConfigView {
  kind: string
  namespace: string
  name: string
  messages: { code: string; level: string; text: string }[]
}

const COLORS: Record<string, string> = {
  healthy: '#3e8635',
  degraded: '#f0ab00',
  failure: '#c9190b',
  idle: '#999',
}

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => document.querySelector(sel) as T
const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  )

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(`/ui/api/${path}`, { credentials: 'same-origin', ...init })
  const body = (await r.json()) as T & { error?: string }
  if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`)
  return body
}

function status(text: string): void {
  $('#status').textContent = text
}

// ---- graph ---------------------------------------------------------------------------------------
const cy = cytoscape({
  container: $('#graph'),
  style: [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'bottom',
        'font-size': 11,
        'background-color': 'data(color)',
        width: 28,
        height: 28,
      },
    },
    {
      selector: 'edge',
      style: {
        label: 'data(label)',
        'font-size': 10,
        'text-background-color': '#fff',
        'text-background-opacity': 0.8,
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'line-color': 'data(color)',
        'target-arrow-color': 'data(color)',
        width: 2,
      },
    },
  ],
  layout: { name: 'breadthfirst', directed: true },
})
;(window as unknown as { weirGraph: cytoscape.Core }).weirGraph = cy
let graphShape = ''

function edgeLabel(e: GraphEdge): string {
  const rate = e.rps === null ? `${e.requests} req` : `${e.rps.toFixed(2)} rps`
  return `${e.mtls ? 'mTLS · ' : ''}${rate} · ${e.percent}%`
}

async function refreshGraph(): Promise<void> {
  const ns = ($<HTMLInputElement>('#namespace').value ?? '').trim()
  const g = await api<Graph>(ns ? `graph?namespace=${encodeURIComponent(ns)}` : 'graph')
  const shape = JSON.stringify([g.nodes.map((n) => n.id), g.edges.map((e) => `${e.source}>${e.target}`)])
  const elements = [
    ...g.nodes.map((n) => ({
      group: 'nodes' as const,
      data: {
        id: n.id,
        label: `${n.app}\n${n.version}`,
        color: COLORS[n.health] ?? '#999',
        health: n.health,
      },
    })),
    ...g.edges.map((e) => ({
      group: 'edges' as const,
      data: {
        id: `${e.source}>${e.target}`,
        source: e.source,
        target: e.target,
        label: edgeLabel(e),
        color: COLORS[e.health] ?? '#999',
        percent: e.percent,
        mtls: e.mtls,
      },
    })),
  ]
  if (shape !== graphShape) {
    cy.elements().remove()
    cy.add(elements)
    cy.layout({ name: 'breadthfirst', directed: true, padding: 30 }).run()
    graphShape = shape
  } else {
    for (const el of elements) cy.getElementById(el.data.id).data(el.data)
  }
  const name = (id: string) => {
    const n = g.nodes.find((x) => x.id === id)
    return n ? `${n.app} ${n.version}`.trim() : id
  }
  $('#edges tbody').innerHTML = g.edges
    .map(
      (e) => `<tr data-source="${esc(e.source)}" data-target="${esc(e.target)}" data-percent="${e.percent}">
        <td>${esc(name(e.source))}</td><td>${esc(name(e.target))}</td><td>${e.requests}</td>
        <td>${e.rps === null ? '-' : e.rps.toFixed(2)}</td><td class="share">${e.percent}%</td>
        <td class="${e.health}">${e.health}</td><td>${e.mtls ? 'mTLS' : 'plaintext'}</td></tr>`,
    )
    .join('')
  status(
    `graph: ${g.nodes.length} nodes, ${g.edges.length} edges${g.windowSeconds ? `, last ${Math.round(g.windowSeconds)} s` : ' (totals)'}`,
  )
}

// ---- services and traffic shifting ----------------------------------------------------------------
async function refreshServices(): Promise<void> {
  const list = await api<ServiceRoutes[]>('services')
  const root = $('#view-services')
  if (list.length === 0) {
    root.innerHTML = '<p>No VirtualServices.</p>'
    return
  }
  root.innerHTML = list
    .map(
      (vs) => `<div class="vs" data-vs="${esc(vs.namespace)}/${esc(vs.name)}">
        <h3>${esc(vs.name)} <small>${esc(vs.namespace)} · hosts ${esc(vs.hosts.join(', '))}${vs.gateways.length ? ` · gateways ${esc(vs.gateways.join(', '))}` : ''}</small></h3>
        ${vs.rules
          .map(
            (r) => `<div class="rule" data-rule="${r.index}">
              <div>${r.index + 1}. ${r.name ? `<b>${esc(r.name)}</b> ` : ''}when ${esc(r.match)}</div>
              <ul>${r.routes
                .map(
                  (
                    d,
                    i,
                  ) => `<li>${esc(d.host)}${d.subset ? ` (${esc(d.subset)})` : ''}${d.port ? `:${d.port}` : ''}
                    <input type="number" min="0" max="100" value="${d.weight}" data-i="${i}" aria-label="weight of ${esc(d.subset ?? d.host)}">%</li>`,
                )
                .join('')}</ul>
              ${r.routes.length > 1 ? '<button type="button" class="preview">Preview</button> <button type="button" class="apply">Apply</button>' : ''}
              <pre class="diff" hidden></pre><div class="result"></div>
            </div>`,
          )
          .join('')}
      </div>`,
    )
    .join('')
}

async function shift(button: HTMLButtonElement, dryRun: boolean): Promise<void> {
  const rule = button.closest('.rule') as HTMLElement
  const vs = (rule.closest('.vs') as HTMLElement).dataset.vs ?? ''
  const [namespace, name] = vs.split('/')
  const weights = [...rule.querySelectorAll<HTMLInputElement>('input[data-i]')].map((i) => Number(i.value))
  const out = rule.querySelector('.result') as HTMLElement
  const pre = rule.querySelector('pre.diff') as HTMLElement
  try {
    const r = await api<{ diff: string; applied: boolean; converged?: boolean }>('shift', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace, name, rule: Number(rule.dataset.rule), weights, dryRun }),
    })
    pre.hidden = false
    pre.innerHTML = r.diff
      .split('\n')
      .map(
        (l) => `<span class="${l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : ''}">${esc(l)}</span>`,
      )
      .join('\n')
    out.textContent = r.applied
      ? r.converged
        ? 'Applied; every proxy is SYNCED.'
        : 'Applied; proxies not all synced yet.'
      : 'Preview (not applied).'
    out.dataset.state = r.applied ? (r.converged ? 'synced' : 'applied') : 'preview'
  } catch (err) {
    out.textContent = `Error: ${(err as Error).message}`
    out.dataset.state = 'error'
  }
}

$('#view-services').addEventListener('click', (ev) => {
  const t = ev.target as HTMLElement
  if (t instanceof HTMLButtonElement && (t.classList.contains('preview') || t.classList.contains('apply')))
    void shift(t, t.classList.contains('preview'))
})

// ---- proxies and config -------------------------------------------------------------------------
async function refreshProxies(): Promise<void> {
  const rows = await api<ProxyRow[]>('proxies')
  $('#proxies tbody').innerHTML = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.proxy)}</td><td>${esc(r.state)}</td><td>${esc(r.runningVersion ?? '-')}</td><td>${esc(r.connectedAt)}</td></tr>`,
    )
    .join('')
}

async function refreshConfig(): Promise<void> {
  const rows = await api<ConfigView[]>('config')
  $('#config tbody').innerHTML = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.kind)}</td><td>${esc(r.namespace)}</td><td>${esc(r.name)}</td><td>${r.messages
          .map(
            (m) => `<div class="msg-${esc(m.level)}">${esc(m.level)} [${esc(m.code)}] ${esc(m.text)}</div>`,
          )
          .join('')}</td></tr>`,
    )
    .join('')
}

// ---- views -------------------------------------------------------------------------------------
const REFRESH: Record<string, () => Promise<void>> = {
  graph: refreshGraph,
  services: refreshServices,
  proxies: refreshProxies,
  config: refreshConfig,
}
let view = 'graph'

function show(name: string): void {
  view = name
  $('#namespace').addEventListener('change', () => {
    refreshGraph().catch((e: Error) => status(`error: ${e.message}`))
  })
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button'))
    b.classList.toggle('active', b.dataset.view === name)
  for (const s of document.querySelectorAll<HTMLElement>('main > section')) s.hidden = s.id !== `view-${name}`
  if (name === 'graph') cy.resize()
  REFRESH[name]?.().catch((e: Error) => status(`error: ${e.message}`))
}

for (const b of document.querySelectorAll<HTMLButtonElement>('nav button'))
  b.addEventListener('click', () => show(b.dataset.view ?? 'graph'))
// The graph and proxies refresh by themselves; the services view only on demand (inputs would be lost).
setInterval(() => {
  if (view === 'graph' || view === 'proxies')
    REFRESH[view]?.().catch((e: Error) => status(`error: ${e.message}`))
}, 3000)
show('graph')
