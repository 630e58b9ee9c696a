/**
 * @module runtime/process/catalog — which program stands in for a container image.
 * A catalog file maps image patterns (`redis:*`, `mcr.microsoft.com/aks/samples/voting/app:1.0`) to a command.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { rec } from '../kube.ts'

/** How to run one image. */
export interface CatalogEntry {
  /** The image pattern this entry came from. */
  pattern: string
  command: string[]
  /** Default arguments (the image's CMD), replaced by the manifest's `args`. */
  args: string[]
  env: Record<string, string>
  /** Volume mount path → variable the runtime sets to the host directory backing it. */
  volumes: Record<string, string>
  /** Programs users exec inside the container → the local command. */
  exec: Record<string, string[]>
  ports: number[]
  /** Programs the command needs, as `program` or `program (Debian: package)`. */
  needs: string[]
  /** Directory relative paths in `command` are resolved against. */
  base: string
}

/** A loaded catalog: entries in precedence order (later files first). */
export interface Catalog {
  entries: CatalogEntry[]
  /** Problems met while loading (file and field named). */
  errors: string[]
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

/** Parses catalog JSON text: `{ "<pattern>": entry }`, `{ "images": { … } }` or `[ { image, … } ]`. */
export function parseCatalog(text: string, file: string): Catalog {
  const out: Catalog = { entries: [], errors: [] }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    out.errors.push(`${file}: not JSON: ${err instanceof Error ? err.message : String(err)}`)
    return out
  }
  const pairs: [string, unknown][] = Array.isArray(data)
    ? data.map((e) => [String(rec(e).image ?? ''), e])
    : Object.entries(rec(rec(data).images ?? data))
  const base = baseOf(file)
  for (const [pattern, raw] of pairs) {
    if (pattern.startsWith('$') || pattern === '') continue
    const e = rec(raw)
    const command = strings(e.command)
    if (command.length === 0) {
      out.errors.push(`${file}: ${pattern}: "command" must be a non-empty array of strings`)
      continue
    }
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(rec(e.env))) env[k] = String(v)
    const ports = (Array.isArray(e.ports) ? e.ports : [])
      .map((p) => Number(typeof p === 'object' ? rec(p).containerPort : p))
      .filter(Number.isInteger)
    const volumes: Record<string, string> = {}
    for (const [k, v] of Object.entries(rec(e.volumes))) if (typeof v === 'string') volumes[k] = v
    const exec: Record<string, string[]> = {}
    for (const [k, v] of Object.entries(rec(e.exec))) exec[k] = strings(v)
    out.entries.push({
      pattern,
      command,
      args: strings(e.args),
      env,
      volumes,
      exec,
      ports,
      needs: strings(e.needs),
      base,
    })
  }
  return out
}

/** The directory relative command paths resolve against: the catalog's folder, or the repository root for `samples/`. */
function baseOf(file: string): string {
  const dir = dirname(resolve(file))
  return dir.endsWith('/samples') ? dirname(dir) : dir
}

/** Loads catalog files; later files take precedence over earlier ones. A missing file is an error. */
export function loadCatalog(files: readonly string[]): Catalog {
  const out: Catalog = { entries: [], errors: [] }
  for (const f of files) {
    let text: string
    try {
      text = readFileSync(f, 'utf8')
    } catch (err) {
      out.errors.push(`${f}: cannot read catalog: ${err instanceof Error ? err.message : String(err)}`)
      continue
    }
    const c = parseCatalog(text, f)
    out.entries.unshift(...c.entries)
    out.errors.push(...c.errors)
  }
  return out
}

/** The names an image is known by: as written, without `docker.io/` or `docker.io/library/`, with `:latest`. */
function imageNames(image: string): string[] {
  let ref = image.replace(/@sha256:[0-9a-f]+$/, '')
  const lastSlash = ref.lastIndexOf('/')
  if (!ref.slice(lastSlash + 1).includes(':')) ref += ':latest'
  const names = new Set([image, ref])
  for (const prefix of ['docker.io/library/', 'docker.io/', 'index.docker.io/library/', 'library/']) {
    if (ref.startsWith(prefix)) names.add(ref.slice(prefix.length))
  }
  return [...names]
}

function globToRegExp(raw: string): RegExp {
  // A pattern without a tag matches every tag of the image.
  const pattern = raw.slice(raw.lastIndexOf('/') + 1).includes(':') ? raw : `${raw}:*`
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${body}$`)
}

/** The first entry matching the image (exact names before patterns), or undefined. */
export function lookupImage(catalog: Catalog, image: string): CatalogEntry | undefined {
  const names = imageNames(image)
  const exact = catalog.entries.find((e) => names.includes(e.pattern))
  if (exact) return exact
  return catalog.entries.find((e) => {
    const re = globToRegExp(e.pattern)
    return names.some((n) => re.test(n))
  })
}

/** A `needs` entry as program and Debian package: `mariadbd (Debian: mariadb-server)`. */
export function parseNeed(need: string): { program: string; pkg?: string } {
  const m = /^\s*(\S+)(?:\s*\(Debian:\s*([^)]+)\))?/.exec(need)
  return m?.[2] ? { program: m[1] as string, pkg: m[2].trim() } : { program: m?.[1] ?? need }
}

/** Resolves `node` to this Node and relative script paths against the entry's base directory. */
export function resolveCommand(entry: Pick<CatalogEntry, 'base'>, argv: readonly string[]): string[] {
  return argv.map((a, i) => {
    if (i === 0 && a === 'node') return process.execPath
    if (isAbsolute(a) || a.startsWith('-') || !/[/.]/.test(a)) return a
    if (!/\.(m?[jt]s|sh|py)$/.test(a) && !a.includes('/')) return a
    const p = resolve(entry.base, a)
    return existsSync(p) ? p : a
  })
}
