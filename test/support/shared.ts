/** @module test/support/shared — where the shared reference material lives (`../shared` beside the repository). */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Absolute path of `shared/` (override with WEIR_SHARED). */
export const SHARED: string =
  process.env.WEIR_SHARED ?? fileURLToPath(new URL('../../../shared', import.meta.url))

/** Absolute path of a file or folder under `shared/`. */
export function shared(rel: string): string {
  return `${SHARED}/${rel}`
}

/** True when `shared/` is present (it is in CI and on developers' machines). */
export const HAVE_SHARED: boolean = existsSync(SHARED)
