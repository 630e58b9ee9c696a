import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HTTP_LABELS } from './labels.ts'
import { createMetrics } from './metrics.ts'

describe('metrics exposition', () => {
  it('renders cumulative histogram buckets, sums and counts, and escapes label values', () => {
    const m = createMetrics()
    const values = HTTP_LABELS.map((l) => (l === 'source_workload' ? 'a"b\\c' : 'x'))
    for (const ms of [0.3, 7, 7000]) m.recordRequest(values, ms, 10, 20)
    const text = m.render()
    const bucket = (le: string) =>
      new RegExp(
        `istio_request_duration_milliseconds_bucket\\{[^}]*le="${le.replace('+', '\\+')}"\\} (\\d+)`,
      ).exec(text)?.[1]
    assert.equal(bucket('0.5'), '1')
    assert.equal(bucket('10'), '2')
    assert.equal(bucket('5000'), '2')
    assert.equal(bucket('10000'), '3')
    assert.equal(bucket('+Inf'), '3')
    assert.match(text, /istio_request_duration_milliseconds_sum\{[^}]*\} 7007.3/)
    assert.match(text, /istio_requests_total\{reporter="x",source_workload="a\\"b\\\\c",/)
  })
})
