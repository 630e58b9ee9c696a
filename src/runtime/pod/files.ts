/**
 * @module runtime/pod/files — what the runtime leaves in the state dir for `weir logs` and `weir exec`:
 *
 *   <state>/pods/<ns>/<pod>/pod.json              name, namespace, labels, containers
 *   <state>/pods/<ns>/<pod>/hosts                 the pod's /etc/hosts
 *   <state>/pods/<ns>/<pod>/<container>/exec.json the container's environment (mode 0600) and sandbox
 *   <state>/logs/<ns>/<pod>/<container>.log       the container's output
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SandboxMode } from '../net/sandbox.ts'

/** `pod.json`. */
export interface PodFile {
  name: string
  namespace: string
  labels: Record<string, string>
  containers: string[]
}

/** `exec.json`. */
export interface ExecFile {
  env: Record<string, string>
  hostsFile: string
  sandbox: SandboxMode
  cwd: string
  /** Programs of the image → the local command that stands in for them. */
  exec?: Record<string, string[]>
}

/** The directory of a pod. */
export function podDir(stateDir: string, namespace: string, pod: string): string {
  return join(stateDir, 'pods', namespace, pod)
}

/** The log file of a container. */
export function logFile(stateDir: string, namespace: string, pod: string, container: string): string {
  return join(stateDir, 'logs', namespace, pod, `${container}.log`)
}

export function writePodFile(stateDir: string, p: PodFile): void {
  writeFileSync(join(podDir(stateDir, p.namespace, p.name), 'pod.json'), `${JSON.stringify(p)}\n`)
}

export function writeExecFile(dir: string, e: ExecFile): void {
  writeFileSync(join(dir, 'exec.json'), `${JSON.stringify(e)}\n`, { mode: 0o600 })
}

/** The pods of a namespace known in the state dir. */
export function readPodFiles(stateDir: string, namespace: string): PodFile[] {
  const dir = join(stateDir, 'pods', namespace)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const out: PodFile[] = []
  for (const n of names.sort()) {
    const p = readPodFile(stateDir, namespace, n)
    if (p) out.push(p)
  }
  return out
}

export function readPodFile(stateDir: string, namespace: string, pod: string): PodFile | undefined {
  try {
    return JSON.parse(readFileSync(join(podDir(stateDir, namespace, pod), 'pod.json'), 'utf8')) as PodFile
  } catch {
    return undefined
  }
}

export function readExecFile(
  stateDir: string,
  namespace: string,
  pod: string,
  container: string,
): ExecFile | undefined {
  try {
    return JSON.parse(
      readFileSync(join(podDir(stateDir, namespace, pod), container, 'exec.json'), 'utf8'),
    ) as ExecFile
  } catch {
    return undefined
  }
}
