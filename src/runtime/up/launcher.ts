/**
 * @module runtime/up/launcher — starts each pod's proxy in this process: it connects to the push stream as
 * node `<pod>.<namespace>`, gets a workload certificate from the mesh CA, and runs the configs it receives,
 * localized to the pod's addresses.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { CredentialResolver } from '../../proxy/listener/credentials.ts'
import { type ProxyHandle, startProxy } from '../../proxy/proxy.ts'
import type { CertificateAuthority, IssuedCert } from '../../security/ca.ts'
import { createCertRotator } from '../../security/rotation.ts'
import { connectConfigStream } from '../../xds/client.ts'
import type { Pod } from '../kube.ts'
import { type BoundAddress, type LocalNetwork, localizeConfig } from '../mesh/localize.ts'
import { logFile } from '../pod/files.ts'
import type { ProxyInstance } from '../pod/runner.ts'
import type { PodNetwork, ProxyLauncher } from '../runtime.ts'
import { SIDECAR_NAME } from '../workloads/inject.ts'
import { isGatewayPod } from './gateway.ts'

/** Where the proxies get their config and identity. */
export interface LauncherOptions {
  pushUrl: string
  token: string
  stateDir: string
  ca: CertificateAuthority
  trustDomain?: string
  /** Gateway `credentialName` → the Secret's PEM material. */
  credentials?: CredentialResolver
  /** The local port of the gateway's port-80 server. */
  gatewayPort: number
  log: (line: string) => void
  /** Called when a gateway listener is bound (to print ports other than the main one). */
  onGatewayListener?: (name: string, address: BoundAddress) => void
}

/** A launcher of in-process proxies for the runtime. */
export function createProxyLauncher(opts: LauncherOptions): ProxyLauncher {
  return {
    async start(pod: Pod, net: PodNetwork): Promise<ProxyInstance> {
      const gateway = isGatewayPod(pod.metadata.labels)
      const ns = pod.metadata.namespace
      const sa = pod.spec.serviceAccountName ?? 'default'
      // The workload certificate, renewed before it expires (Istio's SDS role).
      const asWorkloadCerts = (c: IssuedCert) => ({
        certChain: c.chainPem,
        privateKey: c.keyPem,
        rootCerts: opts.ca.trustBundlePem,
      })
      let handle: ProxyHandle | undefined
      const rotator = createCertRotator({
        issue: () =>
          opts.ca.issueWorkloadCert({
            trustDomain: opts.trustDomain ?? 'cluster.local',
            namespace: ns,
            serviceAccount: sa,
          }),
        onCert: (c) => handle?.setWorkloadCerts(asWorkloadCerts(c)),
        onError: (err) => opts.log(`weir: certificate for ${pod.metadata.name}.${ns}: ${String(err)}`),
      })
      const certs = asWorkloadCerts(await rotator.start())
      const file = logFile(opts.stateDir, ns, pod.metadata.name, SIDECAR_NAME)
      mkdirSync(dirname(file), { recursive: true })
      const accessLog = (line: string): void => {
        try {
          appendFileSync(file, line.endsWith('\n') ? line : `${line}\n`)
        } catch {
          // best effort
        }
      }
      const local: LocalNetwork = {
        role: gateway ? 'gateway' : 'sidecar',
        podIP: net.podIP,
        appAddress: net.appAddress,
        bindsFor: (l) => net.bindsFor(l),
        gatewayPort: opts.gatewayPort,
      }
      let settled = false
      let binds = new Map<string, BoundAddress>()
      let closed = false
      const workload = pod.metadata.ownerReferences?.[0]?.name.replace(/-[^-]+$/, '') ?? pod.metadata.name
      const afterListeners = (h: ProxyHandle): void => {
        void h.listenersSettled().then(() => {
          settled = true
          for (const [name, reason] of Object.entries(h.listenerErrors()))
            accessLog(`weir: listener ${name}: ${reason}`)
          if (gateway)
            for (const [name, a] of Object.entries(h.addresses())) opts.onGatewayListener?.(name, a)
        })
      }
      const stream = connectConfigStream({
        url: opts.pushUrl,
        token: opts.token,
        node: {
          id: `${pod.metadata.name}.${ns}`,
          role: gateway ? 'gateway' : 'sidecar',
          namespace: ns,
          labels: pod.metadata.labels ?? {},
          workload,
          serviceAccount: sa,
        },
        onConfig: async (config) => {
          if (closed) return { ok: false, error: 'proxy stopped' }
          const lc = localizeConfig(config, local)
          binds = lc.binds
          if (handle) {
            const result = handle.applyConfig(lc.config)
            if (result.ok) afterListeners(handle)
            return result
          }
          try {
            handle = await startProxy({
              config: lc.config,
              bind: (l) => binds.get(l.name),
              originalDestination: (address, port) => net.originalDestination(address, port),
              log: accessLog,
              workloadCerts: certs,
              ...(opts.credentials ? { credentials: opts.credentials } : {}),
            })
            if (closed) await handle.close()
            else afterListeners(handle)
            return { ok: true }
          } catch (err) {
            const error = err instanceof Error ? err.message : String(err)
            accessLog(`weir: proxy did not start: ${error}`)
            return { ok: false, error }
          }
        },
      })
      return {
        ready: () => handle !== undefined && settled,
        async close() {
          closed = true
          rotator.stop()
          stream.close()
          await handle?.close()
        },
      }
    },
  }
}
