/**
 * @module runtime/mesh/ca — the mesh's certificate authority for `weir up` (istiod's role): a root kept in the
 * state dir, and SPIFFE workload certificates (`spiffe://<trust domain>/ns/<ns>/sa/<sa>`) for every proxy's
 * Istio mutual TLS.
 */
import { webcrypto } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as never)

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 24 * 3600 * 1000

/** PEM material of one workload identity (the proxy's `WorkloadCerts`). */
export interface IssuedCerts {
  certChain: string
  privateKey: string
  rootCerts: string
}

/** The mesh CA. */
export interface MeshCa {
  rootCert: string
  /** A leaf certificate for a SPIFFE identity, valid for a day. */
  issue(spiffeId: string): Promise<IssuedCerts>
}

function keyPem(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')
  return `-----BEGIN PRIVATE KEY-----\n${b64.replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1')
}

/** Loads the CA from `<stateDir>/ca/`, or creates it there (key mode 0600). */
export async function loadOrCreateCa(stateDir: string, trustDomain = 'cluster.local'): Promise<MeshCa> {
  const dir = join(stateDir, 'ca')
  const certFile = join(dir, 'root-cert.pem')
  const keyFile = join(dir, 'ca-key.pem')
  let rootCert: string
  let caKey: webcrypto.CryptoKey
  let caCert: x509.X509Certificate
  if (existsSync(certFile) && existsSync(keyFile)) {
    rootCert = readFileSync(certFile, 'utf8')
    caCert = new x509.X509Certificate(rootCert)
    caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(readFileSync(keyFile, 'utf8')), ALG, true, [
      'sign',
    ])
  } else {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
    const now = Date.now()
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `O=${trustDomain}`,
      notBefore: new Date(now - 3600_000),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALG,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    })
    rootCert = caCert.toString('pem')
    caKey = keys.privateKey
    writeFileSync(keyFile, keyPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), {
      mode: 0o600,
    })
    chmodSync(keyFile, 0o600)
    writeFileSync(certFile, rootCert)
  }
  return {
    rootCert,
    async issue(spiffeId) {
      const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
      const now = Date.now()
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `OU=workload,O=${trustDomain}`,
        issuer: caCert.subject,
        notBefore: new Date(now - 3600_000),
        notAfter: new Date(now + DAY),
        signingAlgorithm: ALG,
        publicKey: keys.publicKey,
        signingKey: caKey,
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([
            x509.ExtendedKeyUsage.serverAuth,
            x509.ExtendedKeyUsage.clientAuth,
          ]),
        ],
      })
      return {
        certChain: leaf.toString('pem'),
        privateKey: keyPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
        rootCerts: rootCert,
      }
    },
  }
}
