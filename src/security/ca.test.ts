import assert from 'node:assert/strict'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { CA_CERT_FILE, CA_KEY_FILE, createRootCa, type IssuedCert, loadOrCreateCa } from './ca.ts'
import { createCertRotator, type RotatorClock, rotationDueAt } from './rotation.ts'
import { isValidSpiffeId, parseSpiffeId, principalOf, spiffeId } from './spiffe.ts'

const dirs: string[] = []
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('CA', () => {
  it('generates a root into the state dir (key 0600) and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-ca-'))
    dirs.push(dir)
    const a = await loadOrCreateCa(join(dir, 'state'))
    const keyMode = (await stat(join(dir, 'state', CA_KEY_FILE))).mode & 0o777
    assert.equal(keyMode, 0o600)
    const b = await loadOrCreateCa(join(dir, 'state'))
    assert.equal(a.rootPem, b.rootPem)
    assert.equal(await readFile(join(dir, 'state', CA_CERT_FILE), 'utf8'), a.rootPem)
    assert.ok(new X509Certificate(a.rootPem).ca)
  })

  it('uses a user-supplied cert and key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-ca-'))
    dirs.push(dir)
    const src = await createRootCa({ organization: 'example.org' })
    await writeFile(join(dir, 'c.pem'), src.rootPem)
    await writeFile(join(dir, 'k.pem'), src.keyPem)
    const ca = await loadOrCreateCa(join(dir, 'unused'), {
      certFile: join(dir, 'c.pem'),
      keyFile: join(dir, 'k.pem'),
    })
    const leaf = await ca.issueWorkloadCert({
      trustDomain: 'cluster.local',
      namespace: 'a',
      serviceAccount: 'b',
    })
    assert.ok(new X509Certificate(leaf.certPem).verify(new X509Certificate(src.rootPem).publicKey))
    await assert.rejects(stat(join(dir, 'unused', CA_KEY_FILE)))
  })

  it('issues short-lived P-256 workload certs with one SPIFFE URI SAN', async () => {
    const ca = await createRootCa()
    const before = Date.now()
    const c = await ca.issueWorkloadCert({
      trustDomain: 'cluster.local',
      namespace: 'voting',
      serviceAccount: 'sa1',
    })
    const x = new X509Certificate(c.certPem)
    assert.equal(x.subjectAltName, 'URI:spiffe://cluster.local/ns/voting/sa/sa1')
    assert.equal(x.ca, false)
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
    assert.ok(x.verify(new X509Certificate(ca.rootPem).publicKey))
    const life = c.notAfter.getTime() - before
    assert.ok(life > 23 * 3600_000 && life <= 24 * 3600_000, `lifetime ${life}`)
    assert.ok(x.checkPrivateKey(createPrivateKey(c.keyPem)))
    const short = await ca.issueWorkloadCert({
      trustDomain: 'td',
      namespace: 'n',
      serviceAccount: 's',
      ttlMs: 60_000,
    })
    assert.ok(short.notAfter.getTime() - short.notBefore.getTime() === 60_000)
  })

  it('issues DNS server certificates', async () => {
    const ca = await createRootCa()
    const c = await ca.issueServerCert({ dnsNames: ['bookinfo.example.com', '*.example.com'] })
    const x = new X509Certificate(c.certPem)
    assert.equal(x.checkHost('bookinfo.example.com'), 'bookinfo.example.com')
    assert.equal(x.checkHost('foo.example.com'), '*.example.com')
    assert.equal(x.checkHost('other.org'), undefined)
  })
})

describe('SPIFFE IDs', () => {
  it('formats, parses and validates', () => {
    const id = spiffeId({ trustDomain: 'cluster.local', namespace: 'ns', serviceAccount: 'sa' })
    assert.equal(id, 'spiffe://cluster.local/ns/ns/sa/sa')
    assert.deepEqual(parseSpiffeId(id), {
      trustDomain: 'cluster.local',
      namespace: 'ns',
      serviceAccount: 'sa',
    })
    assert.equal(principalOf(id), 'cluster.local/ns/ns/sa/sa')
    for (const bad of [
      'spiffe://Cluster/ns/a',
      'spiffe://td/ns/../sa/x',
      'spiffe://td//x',
      'spiffe://td/a%20b',
      'http://td/x',
    ]) {
      assert.equal(isValidSpiffeId(bad), false, bad)
    }
  })
})

describe('rotation', () => {
  it('is due at 80% of the lifetime', () => {
    assert.equal(rotationDueAt(new Date(1000), new Date(11_000)), 9000)
  })

  it('re-issues before expiry, and retries a failed issue', async () => {
    let now = 0
    const timers: { at: number; fn: () => void }[] = []
    const clock: RotatorClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn }
        timers.push(t)
        return t
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as (typeof timers)[number])
        if (i >= 0) timers.splice(i, 1)
      },
    }
    let n = 0
    let fail = false
    const issued: IssuedCert[] = []
    const rotator = createCertRotator({
      clock,
      retryBaseMs: 10,
      issue: async () => {
        if (fail) throw new Error('CA down')
        n++
        return {
          certPem: `c${n}`,
          keyPem: 'k',
          chainPem: `c${n}`,
          notBefore: new Date(now),
          notAfter: new Date(now + 1000),
        }
      },
      onCert: (c) => issued.push(c),
    })
    const fire = async (): Promise<void> => {
      timers.sort((a, b) => a.at - b.at)
      const t = timers.shift()
      assert.ok(t, 'a timer is scheduled')
      now = t.at
      t.fn()
      await new Promise((r) => setImmediate(r))
    }
    await rotator.start()
    assert.equal(issued.length, 1)
    await fire()
    assert.equal(now, 800)
    assert.equal(issued.length, 2)
    fail = true
    await fire()
    assert.equal(issued.length, 2)
    fail = false
    await fire()
    assert.equal(now, 1610)
    assert.equal(issued.length, 3)
    assert.equal(rotator.current()?.certPem, 'c3')
    rotator.stop()
    assert.equal(timers.length, 0)
  })
})
