/**
 * @module samples/catalog — reads `samples/catalog.json`, which maps the tutorials' container images to the
 * local stand-in programs, and resolves an image reference to its entry.
 *
 * How a runtime starts a container: argv = `commandFor(entry, container)` (the entry's command with `node`
 * replaced by this Node and paths made absolute, then the manifest's `args`, else the entry's `args`; the
 * manifest's `command` is ignored because the stand-in replaces the image's programs); env = `entry.env`
 * overlaid by the manifest's env (plus `HOSTNAME`, and `PORT`/`HOST` when the runtime remaps ports).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One stand-in. */
export interface CatalogEntry {
  description: string
  /** Program and arguments, relative to the repository root; `node` means a Node ≥ 22.18 (type stripping). */
  command: string[]
  /** Default arguments (the image's CMD), replaced by the manifest's `args`. */
  args?: string[]
  /** Environment baked into the image; the manifest's env overrides it. */
  env: Record<string, string>
  /** Ports the program listens on by default (the container ports). */
  ports: number[]
  /** Host programs it needs, as `binary (Debian: package)`. */
  needs: string[]
  /** Volume mount path → env variable the runtime sets to the host directory backing it. */
  volumes?: Record<string, string>
  /** Programs users exec inside the container (`kubectl exec … -- /usr/bin/fortio load …`) → local command. */
  exec?: Record<string, string[]>
}

/** The whole catalogue: image patterns (`*` matches any run of characters) and external hosts. */
export interface Catalog {
  images: Record<string, CatalogEntry>
  external: Record<string, CatalogEntry>
}

/** The repository root (commands in the catalogue are relative to it). */
export const REPO_ROOT: string = fileURLToPath(new URL('..', import.meta.url))

/** Path of `samples/catalog.json`. */
export const CATALOG_PATH: string = fileURLToPath(new URL('./catalog.json', import.meta.url))

/** Reads the catalogue (from `path`, default `samples/catalog.json`). */
export function loadCatalog(path: string = CATALOG_PATH): Catalog {
  return JSON.parse(readFileSync(path, 'utf8')) as Catalog
}

/**
 * Normalises an image reference: drops `docker.io/`, `index.docker.io/` and `library/`, drops a digest,
 * and adds `:latest` when there is no tag. `redis` → `redis:latest`; `docker.io/library/redis:4` → `redis:4`.
 */
export function normalizeImage(image: string): string {
  let s = image.trim().split('@')[0] ?? ''
  s = s.replace(/^(index\.)?docker\.io\//, '').replace(/^library\//, '')
  const lastSlash = s.lastIndexOf('/')
  if (!s.slice(lastSlash + 1).includes(':')) s += ':latest'
  return s
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`)
}

/** Finds the entry for `image`: an exact pattern first, then the first matching `*` pattern in file order. */
export function resolveImage(
  catalog: Catalog,
  image: string,
): { pattern: string; entry: CatalogEntry } | undefined {
  const want = normalizeImage(image)
  const patterns = Object.keys(catalog.images)
  for (const p of patterns) {
    if (!p.includes('*') && normalizeImage(p) === want) return { pattern: p, entry: catalog.images[p]! }
  }
  for (const p of patterns) {
    if (p.includes('*') && globToRegExp(normalizeImage(p)).test(want))
      return { pattern: p, entry: catalog.images[p]! }
  }
  return undefined
}

/** Makes a catalogue command runnable: `node` → this Node, `samples/…` → absolute paths. */
export function absoluteCommand(command: readonly string[], nodePath: string = process.execPath): string[] {
  return command.map((c, i) =>
    i === 0 && c === 'node'
      ? nodePath
      : c.startsWith('samples/')
        ? fileURLToPath(new URL(c, new URL('..', import.meta.url)))
        : c,
  )
}

/** The argv to start a container of `entry`: the entry's command, then the manifest's args or the entry's. */
export function commandFor(
  entry: CatalogEntry,
  container: { args?: readonly string[] } = {},
  nodePath: string = process.execPath,
): string[] {
  return [...absoluteCommand(entry.command, nodePath), ...(container.args ?? entry.args ?? [])]
}

/**
 * The environment of a container of `entry`: the image's env, overlaid by the manifest's (already
 * resolved: secrets decoded, `$(var)` expanded), then `extra` from the runtime (HOSTNAME, HOST, PORT, …).
 */
export function envFor(
  entry: CatalogEntry,
  manifestEnv: Readonly<Record<string, string>> = {},
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...entry.env, ...manifestEnv, ...extra }
}
