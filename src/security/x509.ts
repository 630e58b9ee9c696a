/** @module security/x509 — @peculiar/x509 loaded after the reflect polyfill it needs, on Node's WebCrypto. */
import 'reflect-metadata'
import type { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(globalThis.crypto)

export { x509 }

/** A WebCrypto key. */
export type Key = webcrypto.CryptoKey

/** ECDSA P-256 with SHA-256: the key and signature algorithm of every certificate Weir issues. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

/** A fresh exportable P-256 key pair. */
export function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])
}

/** The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key)
  return x509.PemConverter.encode(der, 'PRIVATE KEY')
}

/** Imports a PKCS#8 PEM P-256 private key for signing; throws a clear error on anything else. */
export async function importPrivateKeyPem(pem: string): Promise<webcrypto.CryptoKey> {
  const ders = x509.PemConverter.decode(pem)
  const der = ders[0]
  if (!der) throw new Error('no PEM block found in the private key')
  return crypto.subtle.importKey('pkcs8', der, EC_P256, true, ['sign'])
}

/** A random positive 128-bit serial number as hex. */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[0] = (bytes[0] ?? 0) & 0x7f
  return Buffer.from(bytes).toString('hex')
}
