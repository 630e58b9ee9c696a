/**
 * @module test/controlplane/crash-writer — a child process for the kill -9 test: writes to a store in a
 * loop, printing `begin …` before and `ack …` after every write (stdout to a pipe is synchronous).
 * argv: stateDir, prefix.
 */

import { seedStore } from '../../src/controlplane/store/seed.ts'
import { createStore } from '../../src/controlplane/store/store.ts'

const [dir, prefix] = process.argv.slice(2) as [string, string]
const store = createStore({ stateDir: dir, compactAfter: 40 })
seedStore(store, { fresh: store.resourceVersion() === '0' })
process.stdout.write('ready\n')
const ref = (name: string) => ({
  group: 'networking.istio.io',
  kind: 'VirtualService',
  namespace: 'default',
  name,
})
for (let i = 0; i < 100_000; i++) {
  const name = `${prefix}-${i % 7}`
  const op = i % 11 === 10 ? 'delete' : 'put'
  process.stdout.write(`begin ${op} ${name} h${i}\n`)
  if (op === 'delete') store.delete(ref(name))
  else {
    store.apply({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: 'default' },
      spec: { hosts: [`h${i}`], http: [{ route: [{ destination: { host: `h${i}` } }] }] },
    })
  }
  process.stdout.write(`ack ${op} ${name} h${i}\n`)
}
