/** @module compile/node.test — finding the proxy node of a pod. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseText } from '../api/load.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import { proxyNodeFor, proxyNodes } from './node.ts'

const snap = buildSnapshot(
  parseText(
    `apiVersion: v1
kind: Pod
metadata: {name: istio-ingressgateway-7c9d-abcde, namespace: istio-system, labels: {istio: ingressgateway, app: istio-ingressgateway}}
spec: {serviceAccountName: istio-ingressgateway-service-account}
status: {podIP: 127.0.0.9}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1-5d8f7c9b6d-x2x7k, namespace: default, labels: {app: reviews, version: v1}}
spec: {serviceAccountName: bookinfo-reviews}
status: {podIP: 127.0.0.10}
`,
    'pods.yaml',
  ).resources,
)

describe('proxyNodeFor', () => {
  it('finds sidecars and gateways by <pod>.<namespace>', () => {
    const r = proxyNodeFor(snap, 'reviews-v1-5d8f7c9b6d-x2x7k.default')
    assert.deepEqual(
      [r?.role, r?.workload, r?.serviceAccount, r?.labels.version],
      ['sidecar', 'reviews-v1', 'bookinfo-reviews', 'v1'],
    )
    assert.equal(proxyNodeFor(snap, 'istio-ingressgateway-7c9d-abcde.istio-system')?.role, 'gateway')
    assert.equal(proxyNodeFor(snap, 'reviews-v1-5d8f7c9b6d-x2x7k', 'default')?.role, 'sidecar')
    assert.equal(proxyNodeFor(snap, 'nope.default'), undefined)
    assert.equal(proxyNodeFor(snap, 'nodot'), undefined)
  })
  it('lists gateways and pods with sidecars only', () => {
    assert.deepEqual(
      proxyNodes(snap).map((n) => [n.name, n.role]),
      [['istio-ingressgateway-7c9d-abcde', 'gateway']],
    )
  })
})
