/**
 * @module runtime/runtime — the local kubelet + controllers of `weir up`: Deployments become pods, pods become
 * processes with their own address and /etc/hosts, Services get virtual IPs served by an in-process kube-proxy,
 * and pods with a sidecar get an in-process proxy (through `proxies`).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { nsOf, type Pod, type PodStatus, rec, selects } from './kube.ts'
import { BLOCK, outboundAddress, sameIndex } from './net/addresses.ts'
import { renderHosts, writeHostsFile } from './net/hosts.ts'
import { startIsolation } from './net/isolation.ts'
import { createKubeProxy, type ForwardRule } from './net/kube-proxy.ts'
import {
  type Alias,
  createAddressBook,
  externalSlot,
  type HostAlias,
  hostsEntriesFor,
  originalDestinationOf,
  POD_ALIAS_SLOTS,
  podAliasSlot,
  type ServiceInfo,
  serviceInfo,
} from './net/plan.ts'
import { detectSandbox, type SandboxMode } from './net/sandbox.ts'
import { podDir, writePodFile } from './pod/files.ts'
import { type PodRunner, type ProxyInstance, startPod } from './pod/runner.ts'
import { resolvePort } from './probe.ts'
import type { Catalog } from './process/catalog.ts'
import { reapRecorded } from './process/records.ts'
import type { RuntimeStore } from './store.ts'
import { DEPLOYMENT_VERSIONS, deploymentStatus, ownedBy, planDeployment } from './workloads/deployments.ts'
import { hasSidecar, injectSidecar, isProxyContainer, wantsSidecar } from './workloads/inject.ts'

/** The network of one pod, as its proxy needs it. */
export interface PodNetwork {
  /** The pod's index (its outbound range is 127.(100+(p>>8)).(p&255).0/24). */
  index: number
  /** `status.podIP`: the sidecar's inbound address (or the app's, without a sidecar). */
  podIP: string
  /** Where the app listens (only its sidecar connects there). */
  appAddress: string
  /** Every address a compiled listener should really be bound on (for the proxy's `bind`). */
  bindsFor(listener: { address: string; port: number; direction: string }): { host: string; port: number }[]
  /** Where a connection accepted on the pod's outbound range was going (for passthrough). */
  originalDestination(localAddress: string, localPort: number): { host: string; port: number } | undefined
}

/** Starts in-process proxies for pods (sidecars and gateways). */
export interface ProxyLauncher {
  start(pod: Pod, net: PodNetwork): Promise<ProxyInstance>
}

/** Options of the runtime. */
export interface RuntimeOptions {
  store: RuntimeStore
  stateDir: string
  catalog: Catalog
  hostAliases?: readonly HostAlias[]
  proxies?: ProxyLauncher
  backoff?: { initialMs: number; maxMs: number }
  /** Warnings and events (one line each). */
  log?: (line: string) => void
}

/** A running runtime. */
export interface Runtime {
  /** Runs one reconcile pass now (tests; normally driven by store changes). */
  reconcile(): Promise<void>
  /** The pod runner of a pod, when it runs here. */
  runner(namespace: string, name: string): PodRunner | undefined
  network(namespace: string, name: string): PodNetwork | undefined
  readonly sandbox: SandboxMode
  /** Stops every pod, proxy and forwarder. */
  close(): Promise<void>
}

interface Running {
  runner: PodRunner
  net: PodNetwork
  hostsFile: string
  sidecar: boolean
  hosts: string
}

/** The first port a normal user may bind (`net.ipv4.ip_unprivileged_port_start`; 1024 when unknown). */
function unprivilegedPortStart(): number {
  try {
    const v = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim())
    return Number.isInteger(v) ? v : 1024
  } catch {
    return 1024
  }
}

/** Starts the runtime: kills what a previous run on this state dir left behind, then reconciles. */
export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { store, stateDir } = opts
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const killed = await reapRecorded(stateDir)
  if (killed > 0) log(`weir: stopped ${killed} process(es) left behind by a previous run`)
  const sandbox = detectSandbox()
  if (sandbox.kind === 'none') {
    log(
      `warning: pods share this machine's /etc/hosts: ${sandbox.reason}; service names resolve only through *_SERVICE_HOST variables`,
    )
  }
  const lowPorts = unprivilegedPortStart()
  if (process.getuid?.() !== 0 && lowPorts > 80) {
    log(
      `warning: ports below ${lowPorts} cannot be bound by a normal user, so services on port 80 or 443 will not ` +
        'answer; run weir up as root, or allow it once with: sudo sysctl net.ipv4.ip_unprivileged_port_start=0',
    )
  }
  const isolation = startIsolation({ log })
  const book = createAddressBook()
  const kubeProxy = createKubeProxy({ onError: log })
  const running = new Map<string, Running>()
  let services: ServiceInfo[] = []
  const aliases = (opts.hostAliases ?? []).map((a, i) => ({
    ...a,
    address: book.externals.next(),
    slot: externalSlot(i),
  }))
  let closed = false

  const podKey = (ns: string, name: string): string => `${ns}/${name}`

  const writeStatus = (pod: Pod, status: PodStatus): void => {
    const current = store.get('Pod', pod.metadata.namespace, pod.metadata.name) as Pod | undefined
    if (!current || current.metadata.uid !== pod.metadata.uid) return
    void Promise.resolve(store.put({ ...current, status })).catch((err: unknown) =>
      log(`weir: pod status: ${String(err)}`),
    )
  }

  /** A pod's own `hostAliases`, each in a slot of its outbound range (so that its sidecar sees them). */
  const podAliasesOf = (pod: Pod): Alias[] =>
    (pod.spec.hostAliases ?? [])
      .flatMap((h) => h.hostnames.map((name) => ({ name, host: h.ip, address: h.ip })))
      .slice(0, POD_ALIAS_SLOTS)
      .map((a, i) => ({ ...a, slot: podAliasSlot(i) }))

  const makeNetwork = (
    index: number,
    podIP: string,
    appAddress: string,
    own: readonly Alias[],
  ): PodNetwork => ({
    index,
    podIP,
    appAddress,
    bindsFor(l) {
      if (l.direction === 'inbound') return [{ host: podIP, port: l.port }]
      if (l.direction === 'gateway') return [{ host: podIP, port: l.port }]
      if (l.address !== '0.0.0.0' && l.address !== '::') {
        const s = services.find((x) => x.vip === l.address)
        return s ? [{ host: outboundAddress(index, s.slot), port: l.port }] : []
      }
      const out = services
        .filter((s) => s.ports.some((p) => p.port === l.port))
        .map((s) => ({ host: outboundAddress(index, s.slot), port: l.port }))
      for (const a of [...aliases, ...own]) out.push({ host: outboundAddress(index, a.slot), port: l.port })
      return out
    },
    originalDestination: (address, port) =>
      originalDestinationOf(address, port, services, [...aliases, ...own]),
  })

  const startRunner = (pod: Pod): void => {
    const ns = pod.metadata.namespace
    let podIP = pod.status?.podIP
    if (!podIP || !book.pods.claim(podIP)) podIP = book.pods.next()
    const index = (book.pods.indexOf(podIP) ?? 0) + 1
    const sidecar = hasSidecar(pod) && pod.spec.containers.some((c) => !isProxyContainer(c))
    const appAddress = sidecar ? (sameIndex(podIP, BLOCK.pod, BLOCK.app) ?? podIP) : podIP
    const dir = join(stateDir, 'pods', ns, pod.metadata.name)
    mkdirSync(dir, { recursive: true })
    writePodFile(stateDir, {
      name: pod.metadata.name,
      namespace: ns,
      labels: pod.metadata.labels ?? {},
      containers: pod.spec.containers.map((c) => c.name),
    })
    const hostsFile = join(dir, 'hosts')
    const hosts = renderHostsFor(pod, podIP, index, sidecar)
    writeHostsFile(hostsFile, hosts)
    const net = makeNetwork(index, podIP, appAddress, podAliasesOf(pod))
    const restartCounts: Record<string, number> = {}
    for (const cs of pod.status?.containerStatuses ?? []) restartCounts[cs.name] = cs.restartCount
    const proxies = opts.proxies
    if (sidecar) isolation.admit(appAddress)
    const gid = sidecar ? isolation.podGid(appAddress) : undefined
    const runner = startPod({
      pod,
      catalog: opts.catalog,
      sources: {
        get: (kind, namespace, name) => store.get(kind, namespace, name),
        services: (namespace) => store.list('Service', namespace),
      },
      appAddress,
      podIP,
      hostsFile,
      sandbox,
      stateDir,
      restartCounts,
      ...(gid !== undefined ? { gid } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(proxies ? { startProxy: () => proxies.start(pod, net) } : {}),
      onStatus: (status) => writeStatus(pod, status),
    })
    running.set(podKey(ns, pod.metadata.name), { runner, net, hostsFile, sidecar, hosts })
  }

  const renderHostsFor = (pod: Pod, podIP: string, index: number, sidecar: boolean): string => {
    const entries = hostsEntriesFor({
      namespace: pod.metadata.namespace,
      podIndex: index,
      sidecar,
      services,
      aliases: [...aliases, ...podAliasesOf(pod)],
    })
    return renderHosts(pod.metadata.name, podIP, entries)
  }

  const assignServiceIPs = async (): Promise<void> => {
    for (const svc of store.list('Service')) {
      const spec = rec(svc.spec)
      if (spec.type === 'ExternalName' || spec.clusterIP === 'None') continue
      const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : ''
      if (ip !== '' && (book.services.owns(ip) || book.services.claim(ip))) continue
      // No VIP yet, or one another run on this machine holds: give it a free one.
      const next = book.services.next()
      await store.put({ ...svc, spec: { ...spec, clusterIP: next, clusterIPs: [next] } })
    }
    services = store.list('Service').flatMap((s) => serviceInfo(s, book.services) ?? [])
  }

  const reconcileDeployments = async (): Promise<void> => {
    const deployments = store.list('Deployment').filter((d) => DEPLOYMENT_VERSIONS.has(d.apiVersion))
    const pods = store.list('Pod') as Pod[]
    const taken = new Set(pods.map((p) => p.metadata.name))
    for (const dep of deployments) {
      const owned = pods.filter((p) => ownedBy(p, dep))
      const plan = planDeployment(dep, owned, taken)
      for (const p of plan.create) {
        const namespace = store.get('Namespace', undefined, nsOf(dep))
        const pod = wantsSidecar(p, namespace) ? injectSidecar(p) : p
        taken.add(pod.metadata.name)
        await store.put(pod)
      }
      for (const name of plan.remove) await store.remove('Pod', nsOf(dep), name)
      const status = deploymentStatus(dep, owned)
      if (JSON.stringify(status) !== JSON.stringify(dep.status)) await store.put({ ...dep, status })
    }
    // Garbage collection: pods whose ReplicaSet belongs to no Deployment any more.
    for (const p of pods) {
      const rs = p.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')
      if (!rs) continue
      if (!deployments.some((d) => ownedBy(p, d)))
        await store.remove('Pod', p.metadata.namespace, p.metadata.name)
    }
  }

  const reconcilePods = async (): Promise<void> => {
    const pods = store.list('Pod') as Pod[]
    const seen = new Set<string>()
    for (const pod of pods) {
      const key = podKey(pod.metadata.namespace, pod.metadata.name)
      seen.add(key)
      const r = running.get(key)
      if (r && r.runner.pod.metadata.uid === pod.metadata.uid) continue
      if (r) {
        running.delete(key)
        await r.runner.stop()
      }
      if (
        !pod.status &&
        !hasSidecar(pod) &&
        wantsSidecar(pod, store.get('Namespace', undefined, pod.metadata.namespace))
      ) {
        await store.put(injectSidecar(pod))
        continue
      }
      if (!Array.isArray(pod.spec?.containers)) continue
      startRunner(pod)
    }
    for (const [key, r] of [...running]) {
      if (seen.has(key)) continue
      running.delete(key)
      book.pods.release(r.net.podIP)
      await r.runner.stop()
      if (r.sidecar) isolation.release(r.net.appAddress)
      rmSync(podDir(stateDir, r.runner.pod.metadata.namespace, r.runner.pod.metadata.name), {
        recursive: true,
        force: true,
      })
    }
  }

  const endpointsOf = (s: ServiceInfo, port: ServiceInfo['ports'][number]): ForwardRule['endpoints'] => {
    const out: ForwardRule['endpoints'] = []
    for (const pod of store.list('Pod', s.namespace) as Pod[]) {
      if (!selects(s.selector, pod.metadata.labels)) continue
      if (!(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) continue
      const ip = pod.status?.podIP
      if (!ip) continue
      const target = port.targetPort ?? port.port
      let resolved: number | undefined = typeof target === 'number' ? target : undefined
      for (const c of pod.spec.containers) resolved ??= resolvePort(c, target)
      if (resolved !== undefined) out.push({ host: ip, port: resolved })
    }
    return out
  }

  const reconcileNetwork = async (): Promise<void> => {
    const rules: ForwardRule[] = []
    for (const s of services)
      for (const p of s.ports) rules.push({ address: s.vip, port: p.port, endpoints: endpointsOf(s, p) })
    for (const a of aliases) {
      for (const port of a.port !== undefined ? [80, 443, a.port] : [])
        rules.push({ address: a.address, port, endpoints: [{ host: a.host, port: a.port ?? port }] })
    }
    await kubeProxy.update(rules)
    for (const r of running.values()) {
      const text = renderHostsFor(r.runner.pod, r.net.podIP, r.net.index, r.sidecar)
      if (text !== r.hosts) {
        r.hosts = text
        writeHostsFile(r.hostsFile, text)
      }
    }
  }

  let pass: Promise<void> = Promise.resolve()
  let dirty = false
  let scheduled: NodeJS.Timeout | undefined
  const reconcile = (): Promise<void> => {
    dirty = true
    pass = pass.then(async () => {
      if (!dirty || closed) return
      dirty = false
      try {
        await assignServiceIPs()
        await reconcileDeployments()
        await reconcilePods()
        await reconcileNetwork()
      } catch (err) {
        log(`weir: reconcile: ${err instanceof Error ? err.message : String(err)}`)
      }
    })
    return pass
  }
  const unwatch = store.watch(() => {
    if (scheduled || closed) return
    scheduled = setTimeout(() => {
      scheduled = undefined
      void reconcile()
    }, 10)
  })
  await reconcile()

  return {
    reconcile,
    sandbox,
    runner: (ns, name) => running.get(podKey(ns, name))?.runner,
    network: (ns, name) => running.get(podKey(ns, name))?.net,
    async close() {
      closed = true
      unwatch()
      if (scheduled) clearTimeout(scheduled)
      await pass
      await Promise.all([...running.values()].map((r) => r.runner.stop()))
      running.clear()
      await kubeProxy.close()
      isolation.close()
      book.services.releaseAll()
      book.pods.releaseAll()
      book.externals.releaseAll()
    },
  }
}
