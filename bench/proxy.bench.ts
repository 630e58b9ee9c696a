/**
 * @module bench/proxy.bench — the Weir proxy against the same upstream direct and through nginx, in one
 * run: throughput per core, added p90 at ~1,000 req/s, CPU per 1,000 req/s, RSS, as ratios.
 *
 * Method (shared/bench-baseline): HTTP/1.1 keep-alive, 100-byte bodies; the proxy under test alone on
 * core 1, load generator (wrk, else a Node loop) and upstream (nginx static, else node:http) on core 0.
 * Each proxy: warm-up, a closed-loop max run (32 connections) and a ~1,000 req/s run (16 connections,
 * 16 ms think time). Env: DUR (s, default 5), REPS (default 1), SRC (default 1: measure the sources through `bin/weir.js`), DIST (default 1: also build `dist/` with
 * `tsc -p tsconfig.build.json` and measure the compiled proxy, which is what an installed package runs;
 * 0: sources only, run with type stripping; BUILD=0 measures the existing `dist/` without rebuilding it), NODE_FLAGS (extra node flags for the Weir processes, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`), BASE_DIST (a directory holding another compiled build, e.g. of the
 * previous commit: measured as `weir-base` in the same run, for before/after comparisons).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProxyConfig } from '../src/proxyconfig/types.ts'
import {
  cpuSeconds,
  freePort,
  groupPids,
  type LoadResult,
  memKb,
  type Proc,
  runNodeLoad,
  runWrk,
  startProc,
  stopProc,
  wrkLua,
  wrkPath,
} from './proxy-support.ts'

const DUR = Number(process.env.DUR ?? 5)
const REPS = Number(process.env.REPS ?? 1)
const DIST = process.env.DIST !== '0'
const NODE_FLAGS = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean)
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))
const root = fileURLToPath(new URL('..', import.meta.url))
const BODY = '0123456789'.repeat(10)

function nginxConf(dir: string, name: string, listen: number, body: string): string {
  return `worker_processes 1; daemon off; master_process on; pid ${dir}/${name}.pid; error_log ${dir}/${name}.err warn;
events { worker_connections 8192; }
http { access_log off; client_body_temp_path ${dir}/b-${name}; proxy_temp_path ${dir}/p-${name};
  fastcgi_temp_path ${dir}/f-${name}; uwsgi_temp_path ${dir}/u-${name}; scgi_temp_path ${dir}/s-${name};
  keepalive_requests 100000000; keepalive_timeout 65s;
  ${body.replace('LISTEN', `listen 127.0.0.1:${listen} backlog=4096;`)} }
`
}

function weirConfig(upPort: number, listenPort: number): ProxyConfig {
  return {
    version: 'bench',
    node: {
      id: 'bench.default',
      role: 'sidecar',
      namespace: 'default',
      workload: 'bench',
      labels: { app: 'bench' },
      serviceAccount: 'default',
      identity: 'spiffe://cluster.local/ns/default/sa/default',
    },
    mesh: {
      outboundTrafficPolicy: 'ALLOW_ANY',
      trustDomain: 'cluster.local',
      accessLog: { enabled: false, format: 'text' },
      connectTimeoutMs: 1000,
      tracing: { samplingPercent: 0 },
    },
    listeners: [
      {
        name: 'http',
        direction: 'outbound',
        address: '127.0.0.1',
        port: listenPort,
        protocol: 'http',
        routeTable: 'rt',
      },
    ],
    routeTables: {
      rt: {
        name: 'rt',
        virtualHosts: [
          {
            name: 'up',
            domains: ['*'],
            service: { host: 'up.default.svc.cluster.local', name: 'up', namespace: 'default' },
            routes: [
              {
                match: {},
                action: { kind: 'forward', backends: [{ cluster: 'up', weight: 100 }] },
                policy: {},
              },
            ],
          },
        ],
      },
    },
    clusters: {
      up: {
        name: 'up',
        type: 'eds',
        direction: 'outbound',
        protocol: 'http1',
        endpoints: [{ address: '127.0.0.1', port: upPort, ready: true, labels: {} }],
        lb: { kind: 'LEAST_REQUEST' },
        connectTimeoutMs: 1000,
        circuitBreaker: {},
      },
    },
  }
}

interface Row {
  target: string
  max: LoadResult
  rate: LoadResult
  cpuMaxS: number
  cpuRateS: number
  rssKb: number
  hwmKb: number
}

async function load(
  port: number,
  lua: string,
  conns: number,
  seconds: number,
  delayMs: number,
): Promise<LoadResult> {
  return wrkPath() ? runWrk(lua, port, conns, seconds, delayMs) : runNodeLoad(port, conns, seconds, delayMs)
}

async function measure(target: string, port: number, pids: number[], lua: string): Promise<Row> {
  await load(port, lua, 16, 2, 0)
  const c0 = cpuSeconds(pids)
  const max = await load(port, lua, 32, DUR, 0)
  const c1 = cpuSeconds(pids)
  const rate = await load(port, lua, 16, DUR, 16)
  const c2 = cpuSeconds(pids)
  return {
    target,
    max,
    rate,
    cpuMaxS: c1 - c0,
    cpuRateS: c2 - c1,
    rssKb: memKb('VmRSS', pids),
    hwmKb: memKb('VmHWM', pids),
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-'))
  const procs: Proc[] = []
  const rows: Row[] = []
  try {
    const lua = join(dir, 'report.lua')
    await writeFile(lua, wrkLua)
    // Upstream on core 0: nginx static when installed, else node:http.
    const upPort = await freePort()
    if (NGINX) {
      await writeFile(
        join(dir, 'up.conf'),
        nginxConf(
          dir,
          'up',
          upPort,
          `server { LISTEN location / { default_type text/plain; return 200 '${BODY}'; } }`,
        ),
      )
      procs.push(await startProc(NGINX, ['-c', join(dir, 'up.conf'), '-p', dir], '0', () => true))
    } else {
      const script = `const b=Buffer.from('${BODY}');require('node:http').createServer((q,s)=>{q.resume();s.writeHead(200,{'content-type':'text/plain','content-length':100});s.end(b)}).listen(${upPort},'127.0.0.1',()=>console.log('ready'))`
      procs.push(await startProc(process.execPath, ['-e', script], '0', (o) => o.includes('ready')))
    }
    await new Promise((r) => setTimeout(r, 300))
    const weirs: { name: string; proc: Proc; port: number }[] = []
    const startWeir = async (name: string, entry: string[]) => {
      const port = await freePort()
      await writeFile(join(dir, `${name}.json`), JSON.stringify(weirConfig(upPort, port)))
      const proc = await startProc(
        process.execPath,
        [...NODE_FLAGS, ...entry, 'proxy', '--config', join(dir, `${name}.json`)],
        '1',
        (o) => o.includes('listener http'),
      )
      procs.push(proc)
      weirs.push({ name, proc, port })
    }
    if (process.env.SRC !== '0') await startWeir('weir', [join(root, 'bin/weir.js')])
    if (DIST) {
      if (process.env.BUILD !== '0')
        execFileSync(process.execPath, [
          join(root, 'node_modules/typescript/bin/tsc'),
          '-p',
          join(root, 'tsconfig.build.json'),
        ])
      const launcher = join(dir, 'weir-dist.mjs')
      await writeFile(
        launcher,
        `import { main } from ${JSON.stringify(join(root, 'dist/cli/main.js'))}\nawait main(process.argv)\n`,
      )
      await startWeir('weir-dist', [launcher])
    }
    if (process.env.BASE_DIST) {
      const launcher = join(dir, 'weir-base.mjs')
      await writeFile(
        launcher,
        `import { main } from ${JSON.stringify(join(process.env.BASE_DIST, 'cli/main.js'))}\nawait main(process.argv)\n`,
      )
      await startWeir('weir-base', [launcher])
    }
    let nginx: Proc | undefined
    const nginxPort = await freePort()
    if (NGINX) {
      await writeFile(
        join(dir, 'px.conf'),
        nginxConf(
          dir,
          'px',
          nginxPort,
          `upstream up { server 127.0.0.1:${upPort}; keepalive 128; }
  server { LISTEN location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }`,
        ),
      )
      nginx = await startProc(NGINX, ['-c', join(dir, 'px.conf'), '-p', dir], '1', () => true)
      procs.push(nginx)
      await new Promise((r) => setTimeout(r, 300))
    }
    for (let rep = 0; rep < REPS; rep++) {
      rows.push(await measure('direct', upPort, [], lua))
      for (const w of weirs) rows.push(await measure(w.name, w.port, groupPids(w.proc.pid), lua))
      if (nginx) rows.push(await measure('nginx', nginxPort, groupPids(nginx.pid), lua))
    }
  } finally {
    for (const p of procs.reverse()) await stopProc(p)
    await rm(dir, { recursive: true, force: true })
  }
  report(rows)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

function report(rows: Row[]): void {
  const by = (t: string) => rows.filter((r) => r.target === t)
  const gen = wrkPath() ? 'wrk' : 'node loop (undici)'
  console.log(
    `load generator: ${gen}; ${DUR}s runs; ${REPS} rep(s); upstream: ${NGINX ? 'nginx static' : 'node:http'}`,
  )
  console.log(
    '| target | max rps | proxy cores at max | rps per core | p90 ms @~1k | added p90 ms | CPU s per 1k rps | RSS MB | peak RSS MB | errors |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  const direct = by('direct')
  const directP90 = median(direct.map((r) => r.rate.p90))
  const summary: Record<
    string,
    { perCore: number; added: number; cpuPer1k: number; rss: number; hwm: number; rps: number }
  > = {}
  for (const t of ['direct', 'weir', 'weir-dist', 'weir-base', 'nginx']) {
    const rs = by(t)
    if (rs.length === 0) continue
    const rps = median(rs.map((r) => r.max.rps))
    const cores = median(rs.map((r) => r.cpuMaxS / DUR))
    const perCore = t === 'direct' ? rps : rps / Math.max(cores, 0.01)
    const p90 = median(rs.map((r) => r.rate.p90))
    const cpuPer1k = median(rs.map((r) => r.cpuRateS / DUR / (r.rate.rps / 1000)))
    const rss = median(rs.map((r) => r.rssKb / 1024))
    const hwm = median(rs.map((r) => r.hwmKb / 1024))
    const errors = rs.reduce((n, r) => n + r.max.errors + r.rate.errors, 0)
    summary[t] = { perCore, added: p90 - directP90, cpuPer1k, rss, hwm, rps }
    console.log(
      `| ${t} | ${rps.toFixed(0)} | ${t === 'direct' ? '-' : cores.toFixed(2)} | ${t === 'direct' ? '-' : perCore.toFixed(0)} | ${p90.toFixed(2)} | ${t === 'direct' ? '0' : `+${(p90 - directP90).toFixed(2)}`} | ${t === 'direct' ? '-' : cpuPer1k.toFixed(3)} | ${t === 'direct' ? '-' : rss.toFixed(1)} | ${t === 'direct' ? '-' : hwm.toFixed(1)} | ${errors} |`,
    )
  }
  const n = summary.nginx
  const d = summary.direct
  for (const name of ['weir', 'weir-dist', 'weir-base']) {
    const w = summary[name]
    if (!w) continue
    if (d) console.log(`${name} / direct throughput: ${(w.rps / d.rps).toFixed(2)}`)
    if (n) {
      console.log(
        `${name} / nginx: throughput ${(w.rps / n.rps).toFixed(2)}, per core ${(w.perCore / n.perCore).toFixed(2)}, CPU per 1k rps ${w.cpuPer1k.toFixed(3)} vCPU (${(w.cpuPer1k / n.cpuPer1k).toFixed(1)}x nginx), peak RSS ${w.hwm.toFixed(0)} MB (nginx ${n.hwm.toFixed(0)}), added p90 ${w.added.toFixed(2)} ms vs nginx ${n.added.toFixed(2)} ms`,
      )
    }
  }
}

await main()
