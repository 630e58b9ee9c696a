/**
 * @module controlplane — the control plane's public seams: start it (`startControlPlane`), or use the
 * in-process `Store` (list / get / watch) from the push server and the runtime.
 */
export { type ControlPlane, type ControlPlaneOptions, readServerFile, startControlPlane } from './server.ts'
export { DEFAULT_MESH_CONFIG, SYSTEM_NAMESPACES, seedStore } from './store/seed.ts'
export { createStore, keyOf, LAST_APPLIED, refOf, type Store, type StoreOptions } from './store/store.ts'
export type {
  ApiStatus,
  ApplyOutcome,
  KubeObject,
  ListOptions,
  ObjectRef,
  Subscription,
  WatchEvent,
  WriteOptions,
  WriteResult,
} from './store/types.ts'
