/** @module model/index — the model stage's public entry points. */
export { DEFAULT_MESH } from './mesh-config.ts'
export {
  buildSnapshot,
  buildSnapshotWithDiagnostics,
  type SnapshotOptions,
  type SnapshotResult,
} from './snapshot.ts'
export type { ConfigEntry, MeshConfig, MeshSnapshot, Service, ServicePort, Workload } from './types.ts'
