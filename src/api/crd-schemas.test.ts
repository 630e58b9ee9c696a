import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { HAVE_SHARED, shared } from '../../test/support/shared.ts'
import { crdSchemaFor, schemaAttribution } from './crd-schemas.ts'
import { k8sPath } from './k8s-path.ts'
import { KINDS } from './kinds.ts'

describe('crd-schemas', () => {
  it('names where the schemas come from', () => {
    const a = schemaAttribution()
    assert.equal(a.release, 'Istio 1.30.3')
    assert.equal(a.license, 'Apache-2.0')
    assert.match(a.source ?? '', /crd-all\.gen\.yaml/)
  })

  it('has a schema for every version of every Istio kind Weir loads', () => {
    const istio = KINDS.filter((k) => /^(networking|security|telemetry)\.istio\.io$/.test(k.group))
    assert.ok(istio.length >= 10)
    for (const k of istio) {
      for (const v of k.versions)
        assert.ok(crdSchemaFor(`${k.group}/${v}`, k.kind), `${k.group}/${v} ${k.kind}`)
    }
    assert.equal(crdSchemaFor('v1', 'Service'), undefined)
    assert.equal(crdSchemaFor('networking.istio.io/v2', 'VirtualService'), undefined)
  })

  it('words paths as Kubernetes does: map keys in brackets', () => {
    const pa = crdSchemaFor('security.istio.io/v1', 'PeerAuthentication')?.schema
    assert.equal(k8sPath(['spec', 'portLevelMtls', '80', 'mode'], pa), 'spec.portLevelMtls[80].mode')
    assert.equal(k8sPath(['spec', 'selector', 'matchLabels'], pa), 'spec.selector.matchLabels')
  })

  it('is what scripts/gen-schemas.ts makes from the shared CRD file', {
    skip: !HAVE_SHARED && 'no shared/',
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-schemas-'))
    const out = join(dir, 'istio-crds.json')
    const script = fileURLToPath(new URL('../../scripts/gen-schemas.ts', import.meta.url))
    const r = spawnSync(process.execPath, [script, shared('istio-crds/crd-all.gen.yaml'), out], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(r.status, 0, r.stderr)
    const committed = await readFile(new URL('./schemas/istio-crds.json', import.meta.url), 'utf8')
    assert.equal(await readFile(out, 'utf8'), committed)
  })
})
