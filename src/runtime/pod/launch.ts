/**
 * @module runtime/pod/launch — how one container of a pod is started: the program from the image catalog
 * (or the pod's `command`), its Kubernetes environment, and the pod's sandbox around it.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Container, KubeObject, Pod } from '../kube.ts'
import { type SandboxMode, sandboxArgv } from '../net/sandbox.ts'
import { findProgram, missingProgramMessage } from '../process/binaries.ts'
import { type Catalog, lookupImage, parseNeed, resolveCommand } from '../process/catalog.ts'
import { type EnvSources, expand, resolveEnv } from '../process/env.ts'

/** Everything a container launch depends on besides the container. */
export interface LaunchContext {
  pod: Pod
  catalog: Catalog
  sources: EnvSources & { services(namespace: string): KubeObject[] }
  /** The address the app listens on (HOST). */
  appAddress: string
  /** `status.podIP`. */
  podIP: string
  hostsFile: string
  sandbox: SandboxMode
  /** The container's own directory (its working directory). */
  dir: string
  stateDir: string
}

/** A launch plan, or why the container cannot start (kubelet's waiting reason and message). */
export type LaunchPlan =
  | {
      ok: true
      argv: string[]
      env: Record<string, string>
      port: number | undefined
      exec: Record<string, string[]>
    }
  | { ok: false; reason: string; message: string }

/** Kubernetes' service link variables (`VOTING_STORAGE_SERVICE_HOST`, `…_PORT`) for a namespace's services. */
export function serviceLinkEnv(services: readonly KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const s of services) {
    const spec = (s.spec ?? {}) as {
      clusterIP?: string
      ports?: { port: number; name?: string; protocol?: string }[]
    }
    const ip = spec.clusterIP
    if (!ip || ip === 'None' || !spec.ports?.length) continue
    const prefix = s.metadata.name.toUpperCase().replace(/-/g, '_')
    const first = spec.ports[0] as { port: number }
    env[`${prefix}_SERVICE_HOST`] = ip
    env[`${prefix}_SERVICE_PORT`] = String(first.port)
    env[`${prefix}_PORT`] = `tcp://${ip}:${first.port}`
    for (const p of spec.ports) {
      const proto = (p.protocol ?? 'TCP').toUpperCase()
      if (p.name) env[`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port)
      env[`${prefix}_PORT_${p.port}_${proto}`] = `${proto.toLowerCase()}://${ip}:${p.port}`
    }
  }
  return env
}

/**
 * The host directory backing a container's mount path: a PersistentVolumeClaim's lives in the state dir
 * (and outlives the pod), an emptyDir in the pod's directory, an unmounted path in the container's.
 */
export function volumeDir(
  ctx: Pick<LaunchContext, 'pod' | 'dir' | 'stateDir'>,
  c: Container,
  path: string,
): string {
  const mount = (c as { volumeMounts?: { name: string; mountPath: string }[] }).volumeMounts?.find(
    (m) => m.mountPath === path,
  )
  const volumes = (
    ctx.pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }
  ).volumes
  const vol = mount ? volumes?.find((v) => v.name === mount.name) : undefined
  let dir: string
  if (vol?.persistentVolumeClaim)
    dir = join(ctx.stateDir, 'volumes', ctx.pod.metadata.namespace, vol.persistentVolumeClaim.claimName)
  else if (vol) dir = join(ctx.dir, '..', 'volumes', vol.name)
  else dir = join(ctx.dir, 'volumes', path.replace(/[^\w.-]+/g, '_'))
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Plans the start of one container. */
export function planLaunch(ctx: LaunchContext, c: Container): LaunchPlan {
  const image = c.image ?? ''
  const entry = lookupImage(ctx.catalog, image)
  if (!entry && !c.command?.length) {
    return {
      ok: false,
      reason: 'ErrImageNeverPull',
      message: `no program for image "${image}" (container ${c.name}): add it to a catalog file (weir up --catalog FILE)`,
    }
  }
  const port = c.ports?.[0]?.containerPort ?? entry?.ports[0]
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: ctx.dir,
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...serviceLinkEnv(ctx.sources.services(ctx.pod.metadata.namespace)),
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    HOSTNAME: ctx.pod.metadata.name,
    HOST: ctx.appAddress,
    POD_IP: ctx.podIP,
    WEIR_POD_DIR: ctx.dir,
  }
  if (port !== undefined) base.PORT = String(port)
  for (const [k, v] of Object.entries(entry?.env ?? {})) base[k] = expand(v, base)
  for (const [path, variable] of Object.entries(entry?.volumes ?? {}))
    base[variable] = volumeDir(ctx, c, path)
  const { env, errors } = resolveEnv(ctx.pod, c, base, ctx.sources, ctx.podIP)
  if (errors.length > 0)
    return { ok: false, reason: 'CreateContainerConfigError', message: errors.join('; ') }
  // The stand-in replaces the image's programs: its command, then the manifest's args (else the image's
  // default args). Without a catalog entry, the manifest's command runs as written.
  let argv: string[]
  if (entry) argv = [...entry.command, ...(c.args ?? entry.args)]
  else argv = [...(c.command ?? []), ...(c.args ?? [])]
  argv = argv.map((a) => expand(a, env))
  if (entry) argv = resolveCommand(entry, argv)
  const needs = [{ program: argv[0] as string }, ...(entry?.needs ?? []).map(parseNeed)]
  for (const need of needs) {
    if (!findProgram(need.program, env.PATH)) {
      const message = missingProgramMessage(need.program, image, need.pkg)
      return { ok: false, reason: 'RunContainerError', message }
    }
  }
  argv[0] = findProgram(argv[0] as string, env.PATH) ?? (argv[0] as string)
  const exec: Record<string, string[]> = {}
  for (const [program, cmd] of Object.entries(entry?.exec ?? {}))
    if (entry) exec[program] = resolveCommand(entry, cmd)
  return { ok: true, argv: sandboxArgv(ctx.sandbox, ctx.hostsFile, argv), env, port, exec }
}
