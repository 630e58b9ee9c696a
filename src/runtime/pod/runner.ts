/**
 * @module runtime/pod/runner — one pod on this machine: its containers as supervised processes, its sidecar
 * (in-process proxy) when injected, readiness probing, and the pod status Kubernetes would write.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Container, ContainerStatus, Pod, PodStatus } from '../kube.ts'
import { sandboxArgv } from '../net/sandbox.ts'
import { execCheck, runProbe } from '../probe.ts'
import { type Supervisor, startSupervisor } from '../process/supervisor.ts'
import { isProxyContainer } from '../workloads/inject.ts'
import { logFile, writeExecFile } from './files.ts'
import { type LaunchContext, planLaunch } from './launch.ts'

/** A running in-process proxy (sidecar or gateway). */
export interface ProxyInstance {
  ready(): boolean
  close(): Promise<void>
}

/** What a runner needs from the runtime. */
export interface RunnerOptions extends Omit<LaunchContext, 'dir'> {
  stateDir: string
  /** Starts the pod's proxy container (undefined when the runtime has no proxy). */
  startProxy?: () => Promise<ProxyInstance>
  /** Called with each new status (only when it changed). */
  onStatus: (status: PodStatus) => void
  backoff?: { initialMs: number; maxMs: number }
  /** Restart counts to continue from (a pod resumed after `weir up` restarted). */
  restartCounts?: Record<string, number>
  /** The group id of the pod's processes (isolation of a sidecar pod's app address). */
  gid?: number
}

interface AppState {
  container: Container
  supervisor?: Supervisor
  port: number | undefined
  env: Record<string, string>
  error?: { reason: string; message: string }
  ready: boolean
  failures: number
  baseRestarts: number
}

/** A running pod. */
export interface PodRunner {
  readonly pod: Pod
  status(): PodStatus
  /** The environment and argv prefix a command in this pod's view runs with (for `weir exec`). */
  execContext(container?: string): { env: Record<string, string>; container: string } | undefined
  stop(): Promise<void>
}

/** Starts a pod. */
export function startPod(opts: RunnerOptions): PodRunner {
  const pod = opts.pod
  const ns = pod.metadata.namespace
  const podDir = join(opts.stateDir, 'pods', ns, pod.metadata.name)
  const startTime = new Date().toISOString()
  const apps: AppState[] = []
  let proxy: ProxyInstance | undefined
  let proxyError: string | undefined
  const proxyContainer = pod.spec.containers.find(isProxyContainer)
  let stopped = false
  let last = ''

  for (const c of pod.spec.containers) {
    if (isProxyContainer(c)) continue
    const dir = join(podDir, c.name)
    mkdirSync(dir, { recursive: true })
    const plan = planLaunch({ ...opts, dir, stateDir: opts.stateDir }, c)
    const st: AppState = {
      container: c,
      port: plan.ok ? plan.port : undefined,
      env: plan.ok ? plan.env : {},
      ready: false,
      failures: 0,
      baseRestarts: opts.restartCounts?.[c.name] ?? 0,
    }
    if (!plan.ok) st.error = { reason: plan.reason, message: plan.message }
    else {
      writeExecFile(dir, {
        env: plan.env,
        hostsFile: opts.hostsFile,
        sandbox: opts.sandbox,
        cwd: dir,
        exec: plan.exec,
      })
      st.supervisor = startSupervisor({
        name: `${ns}/${pod.metadata.name}/${c.name}`,
        argv: plan.argv,
        env: plan.env,
        cwd: dir,
        logFile: logFile(opts.stateDir, ns, pod.metadata.name, c.name),
        stateDir: opts.stateDir,
        graceMs: Math.min(5, pod.spec.terminationGracePeriodSeconds ?? 5) * 1000,
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
        onExit: () => {
          st.ready = false
          publish()
        },
        onStart: () => publish(),
      })
    }
    apps.push(st)
  }
  if (proxyContainer && opts.startProxy) {
    opts
      .startProxy()
      .then((p) => {
        if (stopped) void p.close()
        else proxy = p
        publish()
      })
      .catch((err: unknown) => {
        proxyError = err instanceof Error ? err.message : String(err)
        publish()
      })
  }

  const containerStatus = (st: AppState): ContainerStatus => {
    const sup = st.supervisor
    const restartCount = st.baseRestarts + (sup?.restartCount ?? 0)
    const image = st.container.image ?? ''
    let state: ContainerStatus['state']
    if (st.error) state = { waiting: { reason: st.error.reason, message: st.error.message } }
    else if (sup?.running) state = { running: { startedAt: sup.startedAt } }
    else if (sup?.backingOff)
      state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off restarting failed container ${st.container.name}`,
        },
      }
    else state = { waiting: { reason: 'ContainerCreating' } }
    const out: ContainerStatus = {
      name: st.container.name,
      image,
      ready: st.ready,
      started: sup?.running ?? false,
      restartCount,
      state,
    }
    const exit = sup?.lastExit
    if (exit) {
      out.lastState = {
        terminated: {
          exitCode: exit.code ?? 137,
          ...(exit.signal ? { signal: exit.signal } : {}),
          reason: exit.code === 0 ? 'Completed' : 'Error',
          startedAt: exit.startedAt,
          finishedAt: exit.finishedAt,
        },
      }
    }
    return out
  }

  const status = (): PodStatus => {
    const statuses = apps.map(containerStatus)
    if (proxyContainer) {
      const ready = proxy?.ready() ?? false
      statuses.push({
        name: proxyContainer.name,
        image: proxyContainer.image ?? '',
        ready,
        started: proxy !== undefined,
        restartCount: 0,
        state: proxyError
          ? { waiting: { reason: 'RunContainerError', message: proxyError } }
          : proxy
            ? { running: { startedAt: startTime } }
            : { waiting: { reason: opts.startProxy ? 'ContainerCreating' : 'ProxyUnavailable' } },
      })
    }
    const allReady = statuses.every((s) => s.ready)
    const allStarted = statuses.every((s) => s.started || s.restartCount > 0)
    const cond = (type: string, ok: boolean): PodStatus['conditions'][number] => ({
      type,
      status: ok ? 'True' : 'False',
    })
    return {
      phase: allStarted ? 'Running' : 'Pending',
      podIP: opts.podIP,
      podIPs: [{ ip: opts.podIP }],
      hostIP: '127.0.0.1',
      startTime,
      conditions: [
        cond('PodReadyToStartContainers', true),
        cond('Initialized', true),
        cond('Ready', allReady),
        cond('ContainersReady', allReady),
        cond('PodScheduled', true),
      ],
      containerStatuses: statuses,
    }
  }

  const publish = (): void => {
    if (stopped) return
    const s = status()
    const key = JSON.stringify(s)
    if (key === last) return
    last = key
    opts.onStatus(s)
  }

  const probeOnce = async (): Promise<void> => {
    await Promise.all(
      apps.map(async (st) => {
        if (!st.supervisor?.running) {
          st.ready = false
          return
        }
        const probe = st.container.readinessProbe
        const ok = await runProbe(
          {
            host: opts.appAddress,
            container: st.container,
            defaultPort: st.port,
            exec: (cmd, timeoutMs) => execCheck(planExec(opts, cmd), st.env, timeoutMs),
          },
          probe,
        ).catch(() => false)
        if (ok) {
          st.failures = 0
          st.ready = true
        } else if (++st.failures >= (st.ready ? (probe?.failureThreshold ?? 3) : 1)) st.ready = false
      }),
    )
    publish()
  }

  let timer: NodeJS.Timeout | undefined
  const loop = (): void => {
    timer = undefined
    void probeOnce().finally(() => {
      if (stopped) return
      const allReady = apps.every((a) => a.ready) && (!proxyContainer || (proxy?.ready() ?? false))
      const period = Math.min(
        5,
        Math.max(1, ...apps.map((a) => a.container.readinessProbe?.periodSeconds ?? 1)),
      )
      timer = setTimeout(loop, allReady ? period * 1000 : 200)
    })
  }
  publish()
  timer = setTimeout(loop, 50)

  return {
    pod,
    status,
    execContext(name) {
      const st = name ? apps.find((a) => a.container.name === name) : apps[0]
      return st ? { env: st.env, container: st.container.name } : undefined
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await Promise.all([...apps.map((a) => a.supervisor?.stop()), proxy?.close()])
    },
  }
}

/** The argv of an exec probe or `weir exec` command in the pod's view. */
export function planExec(
  opts: Pick<RunnerOptions, 'sandbox' | 'hostsFile'>,
  cmd: readonly string[],
): string[] {
  return sandboxArgv(opts.sandbox, opts.hostsFile, cmd)
}
