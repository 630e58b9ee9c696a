/** @module samples/lib/protobuf — the few protobuf wire-format pieces the gRPC stand-ins need (varints, strings). */

/** Encodes an unsigned varint. */
export function encodeVarint(n: number): Buffer {
  const bytes: number[] = []
  let v = n
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  bytes.push(v)
  return Buffer.from(bytes)
}

/** A field to encode: a string (wire type 2) or a varint (wire type 0). */
export type Field = { num: number; string: string } | { num: number; varint: number }

/** Encodes a message from its fields, in order. */
export function encodeMessage(fields: readonly Field[]): Buffer {
  const parts: Buffer[] = []
  for (const f of fields) {
    if ('string' in f) {
      const b = Buffer.from(f.string, 'utf8')
      parts.push(encodeVarint((f.num << 3) | 2), encodeVarint(b.length), b)
    } else {
      parts.push(encodeVarint(f.num << 3), encodeVarint(f.varint))
    }
  }
  return Buffer.concat(parts)
}

/** A decoded message: per field number, the varints and the length-delimited values met, in order. */
export interface Decoded {
  varints: Map<number, number[]>
  bytes: Map<number, Buffer[]>
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0
  let mul = 1
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i] ?? 0
    value += (b & 0x7f) * mul
    mul *= 128
    if ((b & 0x80) === 0) return { value, next: i + 1 }
  }
  throw new Error('truncated varint')
}

/** Decodes a message; unknown wire types 1 and 5 are skipped. Throws on malformed input. */
export function decodeMessage(buf: Buffer): Decoded {
  const out: Decoded = { varints: new Map(), bytes: new Map() }
  let at = 0
  while (at < buf.length) {
    const key = readVarint(buf, at)
    at = key.next
    const num = Math.floor(key.value / 8)
    const wire = key.value & 7
    if (wire === 0) {
      const v = readVarint(buf, at)
      at = v.next
      const list = out.varints.get(num) ?? []
      list.push(v.value)
      out.varints.set(num, list)
    } else if (wire === 2) {
      const len = readVarint(buf, at)
      at = len.next
      if (at + len.value > buf.length) throw new Error('truncated field')
      const list = out.bytes.get(num) ?? []
      list.push(buf.subarray(at, at + len.value))
      out.bytes.set(num, list)
      at += len.value
    } else if (wire === 1) at += 8
    else if (wire === 5) at += 4
    else throw new Error(`unsupported wire type ${wire}`)
  }
  return out
}

/** The string values of field `num`. */
export function strings(d: Decoded, num: number): string[] {
  return (d.bytes.get(num) ?? []).map((b) => b.toString('utf8'))
}

/** Frames a gRPC message (uncompressed): flag byte, 4-byte length, message. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(message.length, 1)
  return Buffer.concat([head, message])
}

/** Splits a gRPC body into its messages; throws on compressed or truncated frames. */
export function grpcUnframe(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  while (at < body.length) {
    if (at + 5 > body.length) throw new Error('truncated gRPC frame')
    if (body[at] !== 0) throw new Error('compressed gRPC messages are not supported')
    const len = body.readUInt32BE(at + 1)
    if (at + 5 + len > body.length) throw new Error('truncated gRPC message')
    out.push(body.subarray(at + 5, at + 5 + len))
    at += 5 + len
  }
  return out
}
