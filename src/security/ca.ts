/**
 * @module security/ca — Weir's certificate authority: a root generated into a state directory (or
 * supplied by the user) that signs short-lived ECDSA P-256 workload certificates carrying SPIFFE IDs,
 * and plain DNS server certificates (Gateway `credentialName` tests).
 */
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spiffeId } from './spiffe.ts'
import {
  EC_P256,
  generateKeyPair,
  importPrivateKeyPem,
  type Key,
  privateKeyPem,
  randomSerial,
  x509,
} from './x509.ts'

/** Default workload certificate lifetime (Istio's 24 h). */
export const DEFAULT_WORKLOAD_TTL_MS = 24 * 60 * 60 * 1000
/** Default root lifetime (10 years, as istiod's self-signed root). */
export const DEFAULT_ROOT_TTL_MS = 10 * 365 * 24 * 60 * 60 * 1000
/** File names in the state directory (Istio's plug-in CA names). */
export const CA_CERT_FILE = 'ca-cert.pem'
export const CA_KEY_FILE = 'ca-key.pem'

/** A certificate and its key, as PEM, with the chain up to (not including) the root. */
export interface IssuedCert {
  certPem: string
  keyPem: string
  /** Leaf followed by any intermediates: what a TLS endpoint presents. */
  chainPem: string
  notBefore: Date
  notAfter: Date
}

/** What a workload certificate is issued for. */
export interface WorkloadCertRequest {
  trustDomain: string
  namespace: string
  serviceAccount: string
  /** Lifetime; default 24 h. */
  ttlMs?: number
  /** Start of validity (default now minus one minute for clock skew); a past value issues expired certs for tests. */
  notBefore?: Date
}

/** A server certificate for DNS names (Gateway SIMPLE/MUTUAL `credentialName`). */
export interface ServerCertRequest {
  dnsNames: string[]
  ttlMs?: number
  notBefore?: Date
}

/** A signing authority. */
export interface CertificateAuthority {
  /** The root certificate PEM. */
  rootPem: string
  /** The PEM every workload trusts (the root, plus any extra roots during a CA rotation). */
  trustBundlePem: string
  issueWorkloadCert(req: WorkloadCertRequest): Promise<IssuedCert>
  issueServerCert(req: ServerCertRequest): Promise<IssuedCert>
  /** A client certificate with a subject CN (for MUTUAL gateway tests). */
  issueClientCert(req: { commonName: string; ttlMs?: number; notBefore?: Date }): Promise<IssuedCert>
}

/** Options of a new in-memory root. */
export interface RootOptions {
  /** Subject organisation (default `cluster.local`, as istiod). */
  organization?: string
  ttlMs?: number
  notBefore?: Date
}

/** Creates a CA with a freshly generated self-signed root (kept in memory). */
export async function createRootCa(
  opts: RootOptions = {},
): Promise<CertificateAuthority & { keyPem: string }> {
  const keys = await generateKeyPair()
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000)
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `O=${escapeDn(opts.organization ?? 'cluster.local')}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (opts.ttlMs ?? DEFAULT_ROOT_TTL_MS)),
    keys,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const keyPem = await privateKeyPem(keys.privateKey)
  return { ...caFrom(root, keys.privateKey, root.toString('pem')), keyPem }
}

/** Builds a CA from a signing certificate and key given as PEM (user-supplied `ca-cert.pem` / `ca-key.pem`). */
export async function caFromPem(
  certPem: string,
  keyPem: string,
  rootPem?: string,
): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem)
  const key = await importPrivateKeyPem(keyPem)
  const node = new NodeX509(certPem)
  if (!node.ca) throw new Error('the CA certificate is not a CA (basicConstraints CA:false)')
  if (!node.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error('the CA key does not match the CA certificate')
  }
  return caFrom(cert, key, rootPem ?? certPem)
}

/**
 * Loads the CA from `<stateDir>/ca-cert.pem` + `ca-key.pem`, or generates one there (key mode 0600).
 * `supplied` names user files to use instead (never written to the state directory).
 */
export async function loadOrCreateCa(
  stateDir: string,
  supplied?: { certFile: string; keyFile: string; rootFile?: string },
): Promise<CertificateAuthority> {
  if (supplied) {
    const [cert, key, root] = await Promise.all([
      readFile(supplied.certFile, 'utf8'),
      readFile(supplied.keyFile, 'utf8'),
      supplied.rootFile ? readFile(supplied.rootFile, 'utf8') : Promise.resolve(undefined),
    ])
    return caFromPem(cert, key, root)
  }
  const certPath = join(stateDir, CA_CERT_FILE)
  const keyPath = join(stateDir, CA_KEY_FILE)
  const existing = await readPair(certPath, keyPath)
  if (existing) return caFromPem(existing.cert, existing.key)
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  const ca = await createRootCa()
  await writeFile(keyPath, ca.keyPem, { mode: 0o600 })
  await chmod(keyPath, 0o600)
  await writeFile(certPath, ca.rootPem, { mode: 0o644 })
  return ca
}

async function readPair(
  certPath: string,
  keyPath: string,
): Promise<{ cert: string; key: string } | undefined> {
  try {
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

function caFrom(signer: x509.X509Certificate, signingKey: Key, rootPem: string): CertificateAuthority {
  const signerPem = signer.toString('pem')
  const selfSigned = signer.subject === signer.issuer
  const chainTail = selfSigned ? '' : `${signerPem}\n`

  async function issue(
    subject: string,
    names: x509.JsonGeneralName[],
    usages: string[],
    ttlMs: number,
    notBeforeIn?: Date,
  ): Promise<IssuedCert> {
    const keys = await generateKeyPair()
    const notBefore = notBeforeIn ?? new Date(Date.now() - 60_000)
    const notAfter = new Date(notBefore.getTime() + ttlMs)
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject,
      issuer: signer.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: EC_P256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension(usages, false),
        // Critical when the subject is empty (RFC 5280 §4.2.1.6), as in Istio's workload certs.
        new x509.SubjectAlternativeNameExtension(names, subject === ''),
        await x509.AuthorityKeyIdentifierExtension.create(signer, false),
      ],
    })
    const certPem = cert.toString('pem')
    return {
      certPem,
      keyPem: await privateKeyPem(keys.privateKey),
      chainPem: `${certPem}\n${chainTail}`,
      notBefore,
      notAfter,
    }
  }

  const both = [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
  return {
    rootPem,
    trustBundlePem: rootPem,
    issueWorkloadCert: (req) =>
      issue(
        '',
        [{ type: 'url', value: spiffeId(req) }],
        both,
        req.ttlMs ?? DEFAULT_WORKLOAD_TTL_MS,
        req.notBefore,
      ),
    issueServerCert: (req) =>
      issue(
        req.dnsNames[0] ? `CN=${escapeDn(req.dnsNames[0])}` : '',
        req.dnsNames.map((value) => ({ type: 'dns', value })),
        [x509.ExtendedKeyUsage.serverAuth],
        req.ttlMs ?? DEFAULT_WORKLOAD_TTL_MS,
        req.notBefore,
      ),
    issueClientCert: (req) =>
      issue(
        `CN=${escapeDn(req.commonName)}`,
        [{ type: 'dns', value: req.commonName }],
        [x509.ExtendedKeyUsage.clientAuth],
        req.ttlMs ?? DEFAULT_WORKLOAD_TTL_MS,
        req.notBefore,
      ),
  }
}

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1')
}
