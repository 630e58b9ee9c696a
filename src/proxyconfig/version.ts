/** @module proxyconfig/version — canonical JSON and the content hash that versions a ProxyConfig. */
import { createHash } from 'node:crypto'
import type { ProxyConfig } from './types.ts'

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}

/** The version of a config: sha256 of its canonical JSON without `version`, first 16 hex chars. */
export function configVersion(config: Omit<ProxyConfig, 'version'> & { version?: string }): string {
  const { version: _ignored, ...rest } = config
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16)
}

/** Returns the config with its `version` set from its content. */
export function withVersion(config: Omit<ProxyConfig, 'version'>): ProxyConfig {
  return { ...config, version: configVersion(config) }
}
