/**
 * @module runtime/workloads/deployments — the Deployment controller: pods named and rolled as Kubernetes does.
 * Pure: given a Deployment and the pods it owns, says which pods to create and which to delete.
 */
import { type KubeObject, type Pod, type PodSpec, rec } from '../kube.ts'
import { podTemplateHash, randomSuffix } from './hash.ts'

/** The Deployment API versions the runtime accepts (old ones included: the tutorials use them). */
export const DEPLOYMENT_VERSIONS = new Set(['apps/v1', 'apps/v1beta1', 'apps/v1beta2', 'extensions/v1beta1'])

/** What to do for one Deployment. */
export interface DeploymentPlan {
  hash: string
  create: Pod[]
  /** Names of pods to delete. */
  remove: string[]
}

/** The pod template hash of a Deployment. */
export function deploymentHash(dep: KubeObject): string {
  return podTemplateHash(rec(rec(dep.spec).template))
}

/** The desired replica count (1 when absent, as Kubernetes defaults it). */
export function replicasOf(dep: KubeObject): number {
  const r = rec(dep.spec).replicas
  return typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : 1
}

/** True when a pod belongs to the Deployment (its ReplicaSet owner is `<deployment>-<hash>`). */
export function ownedBy(pod: Pod, dep: KubeObject): boolean {
  if ((pod.metadata.namespace ?? 'default') !== (dep.metadata.namespace ?? 'default')) return false
  const hash = pod.metadata.labels?.['pod-template-hash']
  if (!hash) return false
  return (pod.metadata.ownerReferences ?? []).some(
    (o) => o.kind === 'ReplicaSet' && o.name === `${dep.metadata.name}-${hash}`,
  )
}

/** A new pod from the Deployment's template. */
export function newPod(dep: KubeObject, hash: string, taken: ReadonlySet<string>): Pod {
  const template = rec(rec(dep.spec).template)
  const meta = rec(template.metadata)
  const namespace = dep.metadata.namespace ?? 'default'
  let name = `${dep.metadata.name}-${hash}-${randomSuffix()}`
  for (let i = 0; i < 20 && taken.has(name); i++) name = `${dep.metadata.name}-${hash}-${randomSuffix()}`
  const spec = structuredClone(rec(template.spec)) as unknown as PodSpec
  if (!Array.isArray(spec.containers)) spec.containers = []
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { ...(rec(meta.labels) as Record<string, string>), 'pod-template-hash': hash },
      annotations: { ...(rec(meta.annotations) as Record<string, string>) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${dep.metadata.name}-${hash}`, controller: true },
      ],
      creationTimestamp: new Date().toISOString(),
    },
    spec,
  }
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
}

/**
 * Plans one reconcile step: scale the current template's pods to `replicas`; delete old-template pods as
 * new ones become ready (so a rollout keeps serving); everything goes when replicas is 0.
 */
export function planDeployment(
  dep: KubeObject,
  owned: readonly Pod[],
  taken: ReadonlySet<string>,
): DeploymentPlan {
  const hash = deploymentHash(dep)
  const replicas = replicasOf(dep)
  const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash)
  const old = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash)
  const plan: DeploymentPlan = { hash, create: [], remove: [] }
  const names = new Set(taken)
  for (let i = current.length; i < replicas; i++) {
    const pod = newPod(dep, hash, names)
    names.add(pod.metadata.name)
    plan.create.push(pod)
  }
  if (current.length > replicas) {
    // Scale down: not-ready pods first, then the newest (as the ReplicaSet controller ranks them).
    const ranked = [...current].sort((a, b) => {
      const r = Number(isReady(a)) - Number(isReady(b))
      if (r !== 0) return r
      return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')
    })
    plan.remove.push(...ranked.slice(0, current.length - replicas).map((p) => p.metadata.name))
  }
  const readyNew = current.filter(isReady).length
  const keepOld = Math.max(0, Math.min(old.length, replicas - readyNew))
  const oldRanked = [...old].sort((a, b) => Number(isReady(a)) - Number(isReady(b)))
  plan.remove.push(...oldRanked.slice(0, old.length - keepOld).map((p) => p.metadata.name))
  return plan
}

/** A Deployment's status as the controller writes it (`kubectl get deploy` READY / UP-TO-DATE / AVAILABLE). */
export function deploymentStatus(dep: KubeObject, owned: readonly Pod[]): Record<string, unknown> {
  const hash = deploymentHash(dep)
  const replicas = replicasOf(dep)
  const ready = owned.filter(isReady).length
  const updated = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash).length
  const available = ready >= replicas
  return {
    observedGeneration: dep.metadata.generation ?? 1,
    replicas: owned.length,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(owned.length - ready > 0 ? { unavailableReplicas: owned.length - ready } : {}),
    conditions: [
      {
        type: 'Available',
        status: available ? 'True' : 'False',
        reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        message: available
          ? 'Deployment has minimum availability.'
          : 'Deployment does not have minimum availability.',
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: updated >= replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
        message: `ReplicaSet "${dep.metadata.name}-${hash}" ${updated >= replicas ? 'has successfully progressed' : 'is progressing'}.`,
      },
    ],
  }
}
