/**
 * @module runtime/process/env — a container's environment as the kubelet builds it: `value`, `secretKeyRef`,
 * `configMapKeyRef`, `fieldRef`, and `$(VAR)` expansion of env values, command and args.
 */
import type { Container, KubeObject, Pod } from '../kube.ts'
import { rec } from '../kube.ts'

/** Where secrets and config maps come from. */
export interface EnvSources {
  get(kind: 'Secret' | 'ConfigMap', namespace: string, name: string): KubeObject | undefined
}

/** The result: variables in order, and problems (a missing non-optional key makes the container fail to start). */
export interface ResolvedEnv {
  env: Record<string, string>
  errors: string[]
}

/** Expands `$(VAR)` from `vars`; `$$(VAR)` is a literal `$(VAR)`; unknown references stay as written. */
export function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$'
    return name !== undefined && Object.hasOwn(vars, name) ? (vars[name] as string) : m
  })
}

function fieldOf(pod: Pod, path: string, podIP: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name
    case 'metadata.namespace':
      return pod.metadata.namespace
    case 'metadata.uid':
      return pod.metadata.uid ?? ''
    case 'status.podIP':
      return podIP
    case 'status.hostIP':
      return '127.0.0.1'
    case 'spec.nodeName':
      return 'weir'
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default'
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] as string] ?? ''
  return undefined
}

function keyOf(obj: KubeObject | undefined, key: string, secret: boolean): string | undefined {
  if (!obj) return undefined
  const data = rec(obj.data)[key]
  if (typeof data === 'string') return secret ? Buffer.from(data, 'base64').toString('utf8') : data
  const plain = rec(obj.stringData)[key]
  return typeof plain === 'string' ? plain : undefined
}

/**
 * Resolves a container's `env` in order (later entries see earlier ones through `$(VAR)`), on top of `base`
 * (the catalog's defaults and the runtime's own variables).
 */
export function resolveEnv(
  pod: Pod,
  container: Container,
  base: Readonly<Record<string, string>>,
  sources: EnvSources,
  podIP: string,
): ResolvedEnv {
  const env: Record<string, string> = { ...base }
  const errors: string[] = []
  const ns = pod.metadata.namespace
  for (const [i, e] of (container.env ?? []).entries()) {
    const where = `spec.containers[${container.name}].env[${i}] (${e.name})`
    if (e.value !== undefined) {
      env[e.name] = expand(String(e.value), env)
      continue
    }
    const from = e.valueFrom
    if (!from) {
      env[e.name] = ''
      continue
    }
    if (from.secretKeyRef || from.configMapKeyRef) {
      const secret = from.secretKeyRef !== undefined
      const ref = (from.secretKeyRef ?? from.configMapKeyRef) as {
        name: string
        key: string
        optional?: boolean
      }
      const kind = secret ? 'Secret' : 'ConfigMap'
      const obj = sources.get(kind, ns, ref.name)
      const v = keyOf(obj, ref.key, secret)
      if (v !== undefined) env[e.name] = v
      else if (!ref.optional) {
        errors.push(
          obj
            ? `${where}: couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`
            : `${where}: ${kind.toLowerCase()} "${ref.name}" not found`,
        )
      }
      continue
    }
    if (from.fieldRef) {
      const v = fieldOf(pod, from.fieldRef.fieldPath, podIP)
      if (v === undefined) errors.push(`${where}: unsupported fieldPath ${from.fieldRef.fieldPath}`)
      else env[e.name] = v
    }
  }
  return { env, errors }
}
