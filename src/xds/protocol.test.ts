/** @module xds/protocol.test — message parsing: every kind named, bad input reported, never thrown. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffDelay } from './backoff.ts'
import { redactSecrets } from './debug-handlers.ts'
import { createLineSplitter } from './lines.ts'
import { encodeMessage, PUSH_PROTOCOL, parseFromControlPlane, parseFromProxy } from './protocol.ts'

test('proxy messages round-trip and bad ones are described', () => {
  const hello = {
    type: 'hello',
    protocol: PUSH_PROTOCOL,
    node: { id: 'a.default' },
    lastVersion: 'abc',
  } as const
  assert.deepEqual(parseFromProxy(encodeMessage(hello)), { ok: true, message: hello })
  const nack = { type: 'nack', version: '', nonce: 'n1', error: { code: 'REJECTED', message: 'x' } } as const
  assert.deepEqual(parseFromProxy(JSON.stringify(nack)), { ok: true, message: nack })
  const cases: [string, RegExp][] = [
    ['{', /not JSON/],
    ['[]', /JSON object/],
    ['{"type":"hello","protocol":"weir.push/v0","node":{"id":"a"}}', /unsupported "weir.push\/v0"/],
    ['{"type":"hello","protocol":"weir.push/v1","node":{}}', /node\.id/],
    ['{"type":"ack","version":"v"}', /ack\.nonce/],
    ['{"type":"nack","version":"v","nonce":"n"}', /nack\.error/],
    ['{"type":"config"}', /unknown message type "config"/],
  ]
  for (const [line, want] of cases) {
    const r = parseFromProxy(line)
    assert.equal(r.ok, false, line)
    if (!r.ok) assert.match(r.error, want)
  }
})

test('control plane messages parse; unknown kinds are refused', () => {
  assert.deepEqual(parseFromControlPlane('{"type":"ping"}'), { ok: true, message: { type: 'ping' } })
  assert.equal(parseFromControlPlane('{"type":"config","version":"v","nonce":"n","config":{}}').ok, true)
  assert.equal(parseFromControlPlane('{"type":"config","version":"v","nonce":"n"}').ok, false)
  assert.equal(parseFromControlPlane('{"type":"endpoints"}').ok, false)
})

test('lines split across chunks and multibyte characters; an overlong line stops the stream', () => {
  const lines: string[] = []
  let overflow = 0
  const s = createLineSplitter(
    (l) => lines.push(l),
    16,
    () => overflow++,
  )
  const bytes = Buffer.from('{"a":"é"}\n\n{"b":1}\n')
  for (const b of bytes) s.push(Buffer.from([b]))
  assert.deepEqual(lines, ['{"a":"é"}', '{"b":1}'])
  s.push('x'.repeat(40))
  s.push('\n{"c":2}\n')
  assert.equal(overflow, 1)
  assert.equal(lines.length, 2)
})

test('reconnect backoff doubles, is capped, and is jittered within [d/2, d]', () => {
  const cfg = { initialMs: 100, maxMs: 1000 }
  assert.equal(
    backoffDelay(0, cfg, () => 1),
    100,
  )
  assert.equal(
    backoffDelay(0, cfg, () => 0),
    50,
  )
  assert.equal(
    backoffDelay(3, cfg, () => 1),
    800,
  )
  assert.equal(
    backoffDelay(10, cfg, () => 1),
    1000,
  )
  assert.equal(
    backoffDelay(99, cfg, () => 0),
    500,
  )
})

test('config dumps redact private keys and keep everything else', () => {
  const tls = { mode: 'SIMPLE', serverCertificate: 'CERT', privateKey: 'KEY' }
  const out = redactSecrets({ listeners: [{ tls }] })
  assert.deepEqual(out, { listeners: [{ tls: { ...tls, privateKey: '[redacted]' } }] })
  assert.equal(tls.privateKey, 'KEY')
})
