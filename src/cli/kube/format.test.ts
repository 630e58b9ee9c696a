import assert from 'node:assert/strict'
import { test } from 'node:test'
import { age, labelsText, table, toYaml } from './format.ts'
import { JsonPathError, renderJsonPath } from './jsonpath.ts'

test('age is kubectl’s human duration', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z')
  const at = (s: number): string => age('2026-01-01T00:00:00Z', t0 + s * 1000)
  assert.equal(at(0), '0s')
  assert.equal(at(119), '119s')
  assert.equal(at(125), '2m5s')
  assert.equal(at(600), '10m')
  assert.equal(at(3 * 3600 + 120), '3h2m')
  assert.equal(at(20 * 3600), '20h')
  assert.equal(at(3 * 86400 + 3600), '3d1h')
  assert.equal(at(400 * 86400), '400d')
  assert.equal(age(undefined), '<unknown>')
})

test('table pads columns three spaces apart, no trailing blanks', () => {
  assert.equal(
    table([
      ['NAME', 'READY', 'AGE'],
      ['productpage-v1-6b746f74dc-9stvs', '2/2', '5m'],
    ]),
    `${'NAME'.padEnd(34)}READY   AGE\nproductpage-v1-6b746f74dc-9stvs   2/2     5m\n`,
  )
  assert.equal(labelsText({ version: 'v1', app: 'x' }), 'app=x,version=v1')
  assert.equal(labelsText(undefined), '<none>')
})

test('toYaml sorts keys and quotes what YAML 1.1 would misread, as kubectl', () => {
  assert.equal(
    toYaml({ b: 'yes', a: ['*'], t: '2026-01-01T00:00:00Z' }),
    'a:\n- "*"\nb: "yes"\nt: "2026-01-01T00:00:00Z"\n',
  )
})

test('jsonpath templates as kubectl renders them', () => {
  const list = {
    items: [
      { metadata: { name: 'a', labels: { app: 'x' } }, status: { podIP: '127.0.0.2' } },
      { metadata: { name: 'b' }, status: {} },
    ],
  }
  assert.equal(renderJsonPath('{.items[0].metadata.name}', list), 'a')
  assert.equal(renderJsonPath('{.items[*].metadata.name}', list), 'a b')
  assert.equal(renderJsonPath('{.items..metadata.name}', list), 'a b')
  assert.equal(renderJsonPath('{.items[-1].metadata.name}', list), 'b')
  assert.equal(renderJsonPath("{.items[0].metadata.labels['app']}", list), 'x')
  assert.equal(
    renderJsonPath('{range .items[*]}{.metadata.name}{"\\t"}{.status.podIP}{"\\n"}{end}', list),
    'a\t127.0.0.2\nb\t\n',
  )
  assert.equal(renderJsonPath('ip={.status.loadBalancer.ingress[0].ip}', {}), 'ip=')
  assert.equal(renderJsonPath('{.items[0].metadata}', list), '{"name":"a","labels":{"app":"x"}}')
  assert.throws(() => renderJsonPath('{.items[0]', list), JsonPathError)
  assert.throws(() => renderJsonPath('{end}', list), JsonPathError)
})
