/** The tiny RESP client's encoder and parser (partial replies, arrays, nulls, errors). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeCommand, parseReply } from '../../samples/lib/redis.ts'

describe('RESP', () => {
  it('encodes a command as an array of bulk strings', () => {
    assert.equal(encodeCommand(['SET', 'Cats', 0]).toString(), '*3\r\n$3\r\nSET\r\n$4\r\nCats\r\n$1\r\n0\r\n')
    assert.equal(encodeCommand(['GET', 'é']).toString(), '*2\r\n$3\r\nGET\r\n$2\r\né\r\n')
  })

  it('parses each reply type and reports where it ends', () => {
    const buf = Buffer.from('+OK\r\n:42\r\n$-1\r\n$3\r\nabc\r\n*2\r\n$1\r\nx\r\n:1\r\n-ERR wrong\r\n')
    const values: unknown[] = []
    let at = 0
    for (let i = 0; i < 6; i++) {
      const r = parseReply(buf, at)
      assert.ok(r)
      values.push(r.value instanceof Error ? `error: ${r.value.message}` : r.value)
      at = r.next
    }
    assert.equal(at, buf.length)
    assert.deepEqual(values, ['OK', 42, null, 'abc', ['x', 1], 'error: ERR wrong'])
  })

  it('waits for the rest of a reply split across reads', () => {
    assert.equal(parseReply(Buffer.from('$5\r\nhel'), 0), undefined)
    assert.equal(parseReply(Buffer.from('*2\r\n:1\r\n'), 0), undefined)
    assert.equal(parseReply(Buffer.from(':12'), 0), undefined)
  })
})
