import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { seedStore } from './seed.ts'
import { createStore } from './store.ts'
import type { KubeObject } from './types.ts'

const kindArb = fc.constantFrom(
  ['networking.istio.io/v1', 'VirtualService'],
  ['v1', 'ConfigMap'],
  ['v1', 'Namespace'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Nope'],
  ['', ''],
)
const metaArb = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.constantFrom('a', 'b', 'default', ''), fc.string(), fc.integer()),
      namespace: fc.oneof(fc.constantFrom('default', 'istio-system', 'missing'), fc.jsonValue()),
      labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
      annotations: fc.jsonValue(),
      resourceVersion: fc.oneof(fc.constant('1'), fc.jsonValue()),
      generateName: fc.oneof(fc.constant('gen-'), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
)
const objArb = fc
  .tuple(kindArb, metaArb, fc.jsonValue(), fc.jsonValue())
  .map(
    ([[apiVersion, kind], metadata, spec, status]) =>
      ({ apiVersion, kind, metadata, spec, status }) as unknown as KubeObject,
  )

test('no write input makes the store throw, and the store stays consistent', () => {
  const s = createStore()
  seedStore(s, { fresh: true })
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom('create', 'replace', 'apply', 'patch', 'status', 'delete'),
          objArb,
          fc.jsonValue(),
        ),
        { maxLength: 8 },
      ),
      (ops) => {
        for (const [op, obj, extra] of ops) {
          const ref = {
            group: 'networking.istio.io',
            kind: 'VirtualService',
            namespace: 'default',
            name: 'a',
          }
          const r =
            op === 'create'
              ? s.create(obj)
              : op === 'replace'
                ? s.replace(obj)
                : op === 'apply'
                  ? s.apply(obj)
                  : op === 'patch'
                    ? s.patch(ref, extra)
                    : op === 'status'
                      ? s.updateStatus(ref, extra)
                      : s.delete(ref)
          assert.equal(typeof r.ok, 'boolean')
          if (!r.ok) assert.ok(r.status.code >= 400 && r.status.code < 500, JSON.stringify(r.status))
        }
        const listed = s.list()
        assert.ok(listed.ok)
        for (const o of listed.items) {
          assert.equal(typeof o.metadata.name, 'string')
          assert.ok(o.metadata.namespace === undefined || typeof o.metadata.namespace === 'string')
          for (const v of Object.values(o.metadata.labels ?? {})) assert.equal(typeof v, 'string')
          assert.match(o.metadata.resourceVersion ?? '', /^\d+$/)
        }
      },
    ),
    { numRuns: 300 },
  )
})
