/** @module runtime/workloads/hash — pod-template-hash and name suffixes, spelled as Kubernetes spells them. */
import { randomInt } from 'node:crypto'

/** Kubernetes' `rand.SafeEncodeString` alphabet: no vowels, no look-alike characters. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

/** JSON with object keys sorted, so equal templates hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/** FNV-1a, 32 bits. */
function fnv32a(text: string): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** Encodes the decimal digits of `n` through the safe alphabet, as `SafeEncodeString(fmt.Sprint(hash))` does. */
function safeEncode(text: string): string {
  let out = ''
  for (const ch of text) out += ALPHABET[ch.charCodeAt(0) % ALPHABET.length]
  return out
}

/** The `pod-template-hash` of a Deployment's pod template (changes whenever the template changes). */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const h = fnv32a(canonicalJson(template) + (collisionCount ? String(collisionCount) : ''))
  return safeEncode(String(h)).slice(0, 10)
}

/** A random 5-character suffix (`generateName`). */
export function randomSuffix(length = 5): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)]
  return out
}
