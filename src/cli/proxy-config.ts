/** @module cli/proxy-config — `weir proxy-config cluster|listener|route|endpoint|all <pod>[.<ns>]`: the config a proxy was sent. */
import type { Command } from 'commander'
import { stringify } from 'yaml'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { EXIT } from './exit-codes.ts'
import {
  type ConfigFilter,
  type ConfigSection,
  formatProxyConfig,
  sectionData,
} from './format/proxy-config.ts'
import { getJson, resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

const SECTIONS: readonly ConfigSection[] = ['cluster', 'listener', 'route', 'endpoint', 'all']
const ALIASES: Record<string, ConfigSection> = {
  clusters: 'cluster',
  listeners: 'listener',
  routes: 'route',
  endpoints: 'endpoint',
  ep: 'endpoint',
}

interface Flags extends TargetFlags {
  output: string
  namespace?: string
  fqdn?: string
  port?: string
  subset?: string
  direction?: string
  address?: string
  name?: string
  cluster?: string
  status?: string
}

/** `pod.ns` from `pod`, `pod.ns` (split at the last dot, as istioctl) and `-n`. */
export function proxyId(arg: string, namespace: string | undefined): string {
  return arg.includes('.') ? arg : `${arg}.${namespace ?? 'default'}`
}

function usage(message: string): void {
  process.stderr.write(`error: ${message}\n`)
  process.exitCode = EXIT.USAGE
}

/** Registers `weir proxy-config` (alias `pc`). */
export function register(program: Command): void {
  const cmd = program
    .command('proxy-config')
    .alias('pc')
    .description(
      'show the config a proxy was sent: cluster, listener, route, endpoint or all (as istioctl proxy-config)',
    )
    .argument('<type>', SECTIONS.join(' | '))
    .argument('<proxy>', '<pod>[.<namespace>]')
    .option('-o, --output <format>', 'short, json or yaml', 'short')
    .option('-n, --namespace <ns>', 'namespace of the pod when <proxy> has none', undefined)
    .option('--fqdn <fqdn>', 'clusters of this service FQDN')
    .option('--port <port>', 'only this port')
    .option('--subset <subset>', 'clusters of this subset')
    .option('--direction <dir>', 'clusters of this direction (inbound, outbound)')
    .option('--address <addr>', 'listeners or endpoints with this address')
    .option('--name <name>', 'routes (route table) or listeners with this name')
    .option('--cluster <name>', 'endpoints of this cluster')
    .option('--status <status>', 'endpoints with this status (healthy, unhealthy)')
  withTargetOptions(cmd).action(async (type: string, proxy: string, opts: Flags) => {
    const section = (SECTIONS as readonly string[]).includes(type) ? (type as ConfigSection) : ALIASES[type]
    if (!section) return usage(`unknown type ${JSON.stringify(type)}: want ${SECTIONS.join(', ')}`)
    if (!['short', 'json', 'yaml'].includes(opts.output))
      return usage(`--output must be short, json or yaml, not ${JSON.stringify(opts.output)}`)
    const port = opts.port === undefined ? undefined : Number(opts.port)
    if (port !== undefined && !Number.isInteger(port))
      return usage(`--port must be a number, not ${opts.port}`)
    const target = resolveTarget(opts)
    if (!target.ok) {
      process.stderr.write(`error: ${target.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const id = proxyId(proxy, opts.namespace)
    const res = await getJson<ProxyConfig>(
      target.target,
      `/debug/config_dump?proxy=${encodeURIComponent(id)}`,
    )
    if (!res.ok) {
      process.stderr.write(`error: ${res.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const filter: ConfigFilter = {}
    for (const k of ['fqdn', 'subset', 'direction', 'address', 'name', 'cluster', 'status'] as const) {
      const v = opts[k]
      if (v !== undefined) filter[k] = v
    }
    if (port !== undefined) filter.port = port
    if (opts.output === 'json')
      process.stdout.write(`${JSON.stringify(sectionData(res.body, section), null, 2)}\n`)
    else if (opts.output === 'yaml') process.stdout.write(stringify(sectionData(res.body, section)))
    else process.stdout.write(formatProxyConfig(res.body, section, filter))
  })
}
