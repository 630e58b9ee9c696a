/** @module controlplane/store/merge — JSON merge patch (RFC 7386), kubectl's three-way apply merge, deep equality. */

type Json = unknown
type Obj = Record<string, unknown>

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Structural equality of JSON values, ignoring key order. */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}

/** RFC 7386 JSON merge patch: objects merge, `null` deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch)
  const out: Obj = isObject(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

/**
 * kubectl's apply merge: starts from the live object, removes what the last applied configuration set
 * and the new one no longer does, and sets what the new one sets. Maps merge key by key; lists are
 * replaced whole. Fields written by others (a Service's clusterIP, labels added with `weir label`) stay.
 */
export function applyMerge(live: Json, applied: Json, last: Json): Json {
  if (!isObject(applied) || !isObject(live)) return structuredClone(applied)
  const out: Obj = { ...live }
  if (isObject(last)) {
    for (const k of Object.keys(last)) if (!Object.hasOwn(applied, k)) delete out[k]
  }
  for (const [k, v] of Object.entries(applied)) {
    out[k] = isObject(v) && isObject(out[k]) ? applyMerge(out[k], v, isObject(last) ? last[k] : undefined) : v
  }
  return out
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const x of Object.values(v as object)) deepFreeze(x)
  }
  return v
}
