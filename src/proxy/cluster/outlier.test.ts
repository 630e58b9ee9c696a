import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OutlierDetection } from '../../proxyconfig/types.ts'
import { createEndpointState, isEjected, recordOutcome } from './outlier.ts'

const od: OutlierDetection = {
  consecutive5xx: 2,
  intervalMs: 1000,
  baseEjectionTimeMs: 10_000,
  maxEjectionPercent: 50,
  minHealthPercent: 0,
}
const ep = (n: number) =>
  createEndpointState(`10.0.0.${n}:80`, { address: `10.0.0.${n}`, port: 80, ready: true, labels: {} })

describe('outlier detection', () => {
  it('ejects after N consecutive 5xx for base × times ejected, and decays the multiplier', () => {
    const a = ep(1)
    const all = [a, ep(2), ep(3), ep(4)]
    recordOutcome(od, a, all, { status: 503 }, 0)
    assert.equal(isEjected(a, 0), false)
    recordOutcome(od, a, all, { status: 200 }, 0)
    recordOutcome(od, a, all, { status: 500 }, 0)
    assert.equal(isEjected(a, 0), false, 'a success in between resets the count')
    recordOutcome(od, a, all, { status: 500 }, 1)
    assert.equal(isEjected(a, 5_000), true)
    assert.equal(isEjected(a, 10_001), false)
    // Second ejection right away: twice the base time.
    recordOutcome(od, a, all, { localFailure: true }, 10_002)
    recordOutcome(od, a, all, { localFailure: true }, 10_003)
    assert.equal(isEjected(a, 29_000), true)
    assert.equal(isEjected(a, 30_004), false)
    // Healthy for 5 intervals: the multiplier decays back, the next ejection is base time again.
    recordOutcome(od, a, all, { status: 502 }, 40_000)
    recordOutcome(od, a, all, { status: 502 }, 40_001)
    assert.equal(isEjected(a, 49_000), true)
    assert.equal(isEjected(a, 50_002), false)
  })

  it('never ejects more than maxEjectionPercent (but always allows the first)', () => {
    const [a, b, c, d] = [ep(1), ep(2), ep(3), ep(4)]
    const all = [a, b, c, d]
    for (const e of all) for (let i = 0; i < 2; i++) recordOutcome(od, e, all, { status: 500 }, 0)
    assert.equal(all.filter((e) => isEjected(e, 1)).length, 2)
    const single = ep(9)
    for (let i = 0; i < 2; i++)
      recordOutcome({ ...od, maxEjectionPercent: 10 }, single, [single], { status: 500 }, 0)
    assert.equal(isEjected(single, 1), true)
  })
})
