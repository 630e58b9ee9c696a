/**
 * @module bench/validate.bench — times loading and validating one YAML file with 1,000 VirtualServices and
 * 1,000 DestinationRules (`parseText` + `validateResource` on each), against plain `yaml.parseAllDocuments`
 * of the same text in the same run. Goal: under 1 s. Run: `node bench/validate.bench.ts`.
 */
import { parseAllDocuments } from 'yaml'
import { parseText } from '../src/api/load.ts'
import { validateResource } from '../src/api/validate.ts'

const N = 1000

function virtualService(i: number): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc-${i}
  namespace: bench
spec:
  hosts:
  - svc-${i}
  http:
  - name: canary
    match:
    - headers:
        end-user:
          exact: jason
      uri:
        prefix: /api/v${i % 3}
    route:
    - destination:
        host: svc-${i}
        subset: v2
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: 5xx,reset,connect-failure
    timeout: 10s
  - route:
    - destination:
        host: svc-${i}
        subset: v1
      weight: 90
    - destination:
        host: svc-${i}
        subset: v2
      weight: 10
    fault:
      delay:
        fixedDelay: 500ms
        percentage:
          value: 0.1
    mirror:
      host: svc-${i}-shadow
    mirrorPercentage:
      value: 5
`
}

function destinationRule(i: number): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc-${i}
  namespace: bench
spec:
  host: svc-${i}
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
      http:
        http1MaxPendingRequests: 10
        maxRequestsPerConnection: 1
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
    trafficPolicy:
      loadBalancer:
        consistentHash:
          httpHeaderName: x-user
`
}

function generate(): string {
  const docs: string[] = []
  for (let i = 0; i < N; i++) docs.push(virtualService(i), destinationRule(i))
  return docs.join('---\n')
}

const RUNS = 5

/** A measure: a name and what it runs (returns a count, so the work cannot be optimised away). */
interface Measure {
  name: string
  run: () => number
}

/** Runs the measures in turns, RUNS rounds, so load from elsewhere hits all alike; best time of each. */
function timeInTurns(measures: Measure[]): Map<string, { ms: number; result: number }> {
  const out = new Map<string, { ms: number; result: number }>()
  for (let round = 0; round < RUNS; round++) {
    for (const m of measures) {
      const t0 = performance.now()
      const result = m.run()
      const ms = performance.now() - t0
      const prev = out.get(m.name)
      if (!prev || ms < prev.ms) out.set(m.name, { ms, result })
    }
  }
  return out
}

const text = generate()
// Warm-up on a small slice so JIT and lazy compilation (ajv, CEL) are not all charged to one side.
const warm = parseText(`${virtualService(0)}---\n${destinationRule(0)}`, 'warm.yaml')
for (const r of warm.resources) validateResource(r)
const resources = parseText(text, 'bench.yaml').resources
if (resources.length !== 2 * N) throw new Error(`loaded ${resources.length} resources`)

const results = timeInTurns([
  { name: 'baseline', run: () => parseAllDocuments(text).length },
  {
    name: 'weir',
    run: () => {
      const loaded = parseText(text, 'bench.yaml')
      let problems = loaded.diagnostics.length
      for (const r of loaded.resources) problems += validateResource(r).length
      return problems
    },
  },
  { name: 'parseOnly', run: () => parseText(text, 'bench.yaml').resources.length },
  {
    name: 'validateOnly',
    run: () => {
      let problems = 0
      for (const r of resources) problems += validateResource(r).length
      return problems
    },
  },
])
const get = (name: string) => results.get(name) ?? { ms: Number.NaN, result: 0 }
const baseline = get('baseline')
const weir = get('weir')
const parseOnly = get('parseOnly')
const validateOnly = get('validateOnly')

process.stdout.write(
  `${(text.length / 1024).toFixed(0)} KiB, ${2 * N} resources (${N} VirtualServices + ${N} DestinationRules)\n` +
    `yaml.parseAllDocuments:         ${baseline.ms.toFixed(0)} ms\n` +
    `parseText only:                 ${parseOnly.ms.toFixed(0)} ms\n` +
    `validateResource only:          ${validateOnly.ms.toFixed(0)} ms (${((validateOnly.ms * 1000) / (2 * N)).toFixed(0)} µs per resource)\n` +
    `parseText + validateResource:   ${weir.ms.toFixed(0)} ms (best of ${RUNS}; ${weir.result} problems; goal < 1000 ms)\n` +
    `ratio to yaml.parseAllDocuments: ${(weir.ms / baseline.ms).toFixed(2)}x\n`,
)
