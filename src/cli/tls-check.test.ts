import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { HAVE_SHARED, shared } from '../../test/support/shared.ts'
import { loadPaths } from '../api/load.ts'
import type { Resource } from '../api/resource.ts'
import { tlsCheck } from '../compile/security/tls-check.ts'
import { startControlPlane } from '../controlplane/server.ts'
import type { KubeObject } from '../controlplane/store/types.ts'
import { fileOrLiveSource, runTlsCheck } from './tls-check.ts'

const run = promisify(execFile)
const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))
const VOTING = shared('scenarios/aks-voting-app')

describe('weir tls-check', () => {
  it('prints OK mTLS mTLS rows for the voting app after step 7', { skip: !HAVE_SHARED }, async () => {
    const { stdout } = await run(process.execPath, [
      WEIR,
      'tls-check',
      'voting-app-1-0-6c65c4bc8f-xk2vq.voting',
      '-f',
      `${VOTING}/kubernetes/step-1-create-voting-app.yaml`,
      `${VOTING}/istio/step-2-update-and-add-routing-for-all-components.yaml`,
    ])
    const lines = stdout.trimEnd().split('\n')
    assert.deepEqual(lines[0]!.split(/\s{2,}/), [
      'HOST:PORT',
      'STATUS',
      'SERVER',
      'CLIENT',
      'AUTHN POLICY',
      'DESTINATION RULE',
    ])
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s{2,}/)),
      [
        [
          'voting-analytics.voting.svc.cluster.local:8080',
          'OK',
          'mTLS',
          'mTLS',
          'default/voting',
          'voting-analytics/voting',
        ],
        [
          'voting-app.voting.svc.cluster.local:8080',
          'OK',
          'mTLS',
          'mTLS',
          'default/voting',
          'voting-app/voting',
        ],
        [
          'voting-storage.voting.svc.cluster.local:6379',
          'OK',
          'mTLS',
          'mTLS',
          'default/voting',
          'voting-storage/voting',
        ],
      ],
    )
  })

  it('narrows to one service, as the tutorial runs it', { skip: !HAVE_SHARED }, async () => {
    const { stdout } = await run(process.execPath, [
      WEIR,
      'tls-check',
      'voting-app-1-0-6c65c4bc8f-xk2vq.voting',
      'voting-storage.voting.svc.cluster.local',
      '-f',
      `${VOTING}/kubernetes/step-1-create-voting-app.yaml`,
      `${VOTING}/istio/step-2-update-and-add-routing-for-all-components.yaml`,
    ])
    const rows = stdout.trimEnd().split('\n').slice(1)
    assert.equal(rows.length, 1)
    assert.match(
      rows[0]!,
      /^voting-storage\.voting\.svc\.cluster\.local:6379\s+OK\s+mTLS\s+mTLS\s+default\/voting\s+voting-storage\/voting$/,
    )
  })

  it('without -f and without a control plane it says where it looked (exit 1)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'weir-tls-check-none-'))
    try {
      await assert.rejects(
        run(process.execPath, [WEIR, 'tls-check', 'pod.ns', '--state', empty]),
        (e: { code: number; stderr: string }) => {
          assert.equal(e.code, 1)
          assert.match(e.stderr, /no control plane: .*server\.json not found/)
          return true
        },
      )
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })

  it('live: reads the resources from the running control plane (--state)', {
    skip: !HAVE_SHARED,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-tls-check-live-'))
    const cp = await startControlPlane({ stateDir: dir, onWarning: () => {} })
    try {
      const loaded = await loadPaths([
        `${VOTING}/kubernetes/step-1-create-voting-app.yaml`,
        `${VOTING}/istio/step-2-update-and-add-routing-for-all-components.yaml`,
      ])
      assert.equal(
        cp.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'voting' } }).ok,
        true,
      )
      for (const r of loaded.resources) {
        const res = cp.store.create({
          ...r.body,
          metadata: { ...r.metadata, namespace: 'voting' },
        } as KubeObject)
        assert.equal(res.ok, true, `${r.kind}/${r.metadata.name}`)
      }
      const { stdout } = await run(process.execPath, [
        WEIR,
        'tls-check',
        'voting-app-1-0-6c65c4bc8f-xk2vq.voting',
        'voting-storage.voting.svc.cluster.local',
        '--state',
        dir,
      ])
      const rows = stdout.trimEnd().split('\n').slice(1)
      assert.deepEqual(
        rows.map((l) => l.split(/\s{2,}/)),
        [
          [
            'voting-storage.voting.svc.cluster.local:6379',
            'OK',
            'mTLS',
            'mTLS',
            'default/voting',
            'voting-storage/voting',
          ],
        ],
      )
      // The same through the source directly, with --server/--token; a conflicting DR shows at once.
      assert.equal(
        cp.store.apply({
          apiVersion: 'networking.istio.io/v1',
          kind: 'DestinationRule',
          metadata: { name: 'voting-storage', namespace: 'voting' },
          spec: {
            host: 'voting-storage.voting.svc.cluster.local',
            trafficPolicy: { tls: { mode: 'DISABLE' } },
          },
        }).ok,
        true,
      )
      let out = ''
      const code = await runTlsCheck(
        {
          pod: 'voting-app-1-0-6c65c4bc8f-xk2vq.voting',
          service: 'voting-storage.voting.svc.cluster.local',
          filenames: [],
          target: { server: cp.url, token: cp.token },
        },
        fileOrLiveSource,
        { out: (s) => (out += s), err: () => {} },
      )
      assert.equal(code, 0)
      assert.match(out, /voting-storage\.voting\.svc\.cluster\.local:6379\s+CONFLICT\s+mTLS\s+HTTP\s/)
    } finally {
      await cp.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('takes its resources from any source (the live form plugs in here)', async () => {
    let out = ''
    const code = await runTlsCheck(
      { pod: 'p.ns', service: 'missing', filenames: [] },
      async () => ({ resources: [], problems: [] }),
      { out: (s) => (out += s), err: () => {} },
    )
    assert.equal(code, 1)
    assert.equal(out, '')
  })
})

describe('tlsCheck rows', () => {
  const svc: Resource = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    body: { spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  }
  const strict: Resource = {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'shop' },
    body: { spec: { mtls: { mode: 'STRICT' } } },
  }
  const dr = (mode: string): Resource => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'web', namespace: 'shop' },
    body: { spec: { host: 'web', trafficPolicy: { tls: { mode } } } },
  })

  it('STRICT server with a DISABLE client is a CONFLICT', () => {
    const [row] = tlsCheck([svc, strict, dr('DISABLE')], { podNamespace: 'shop' })
    assert.deepEqual(row, {
      host: 'web.shop.svc.cluster.local',
      port: 80,
      status: 'CONFLICT',
      server: 'mTLS',
      client: 'HTTP',
      authnPolicy: 'default/shop',
      destinationRule: 'web/shop',
    })
  })

  it('no DestinationRule: auto mTLS is OK; a DISABLE server with an ISTIO_MUTUAL client conflicts', () => {
    assert.equal(tlsCheck([svc, strict], { podNamespace: 'shop' })[0]?.client, 'AUTO')
    assert.equal(tlsCheck([svc, strict], { podNamespace: 'shop' })[0]?.status, 'OK')
    const off = { ...strict, body: { spec: { mtls: { mode: 'DISABLE' } } } }
    assert.equal(tlsCheck([svc, off, dr('ISTIO_MUTUAL')], { podNamespace: 'shop' })[0]?.status, 'CONFLICT')
  })
})
