/**
 * @module cli/analyze — `weir analyze`: offline analysis of manifests in istioctl's message format and exit
 * codes (0 clean, 79 issues at the failure threshold, 65 unreadable input, 64 usage).
 */
import type { Command } from 'commander'
import { type AnalyzeResult, analyze, UNREADABLE_CODES } from '../analyze/analyze.ts'
import { atLeast, DOCS_URL, parseLevel, render } from '../analyze/output.ts'
import { ANALYZERS } from '../analyze/registry.ts'
import type { Analyzer } from '../analyze/types.ts'
import type { Severity } from '../api/diagnostics.ts'
import { EXIT } from './exit-codes.ts'

interface AnalyzeFlags {
  filename: string[]
  namespace?: string
  allNamespaces?: boolean
  output: string
  failureThreshold: string
  outputThreshold: string
  listAnalyzers?: boolean
  suppress: string[]
  analyzer: string[]
  meshConfigFile?: string
  useKube?: string | boolean
}

const collect = (v: string, prev: string[]): string[] => [...prev, v]

/** Registers `weir analyze`. */
export function register(program: Command): void {
  program
    .command('analyze')
    .description('Analyze Istio configuration files offline and print istioctl-style messages')
    .argument('[paths...]', 'files or directories (recursively *.yaml, *.yml, *.json); - reads stdin')
    .option(
      '-f, --filename <path>',
      'a file or directory to analyze (repeatable; - reads stdin)',
      collect,
      [],
    )
    .option(
      '-n, --namespace <ns>',
      'namespace for objects without one, and the namespace reported on',
      undefined,
    )
    .option('-A, --all-namespaces', 'report on every namespace (objects without one get none)')
    .option('-o, --output <format>', 'output format: log (or text), json, yaml', 'log')
    .option(
      '--failure-threshold <level>',
      'lowest level that makes the run fail: Info, Warning, Error',
      'Error',
    )
    .option('--output-threshold <level>', 'lowest level printed: Info, Warning, Error', 'Info')
    .option('-L, --list-analyzers', 'list the analyzers and exit')
    .option(
      '-S, --suppress <rule>',
      'suppress messages: CODE=ResourceGlob, e.g. "IST0102=Namespace *"',
      collect,
      [],
    )
    .option('--analyzer <name>', 'run only this analyzer (repeatable)', collect, [])
    .option('--meshConfigFile <file>', 'mesh config to use instead of Istio defaults')
    .option('-k, --use-kube [bool]', 'accepted for istioctl compatibility; Weir always analyzes files only')
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      process.exitCode = await runAnalyze(paths, flags)
    })
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`)
  return EXIT.USAGE
}

function listAnalyzers(): string {
  return [...ANALYZERS]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => `* ${a.name}:\n    ${a.description}\n`)
    .join('')
}

async function runAnalyze(args: string[], flags: AnalyzeFlags): Promise<number> {
  if (flags.listAnalyzers) {
    process.stdout.write(listAnalyzers())
    return EXIT.OK
  }
  const format = flags.output === 'text' ? 'log' : flags.output
  if (format !== 'log' && format !== 'json' && format !== 'yaml') {
    return usage(`invalid output format ${JSON.stringify(flags.output)}: expected log, json or yaml`)
  }
  const failure = parseLevel(flags.failureThreshold)
  const output = parseLevel(flags.outputThreshold)
  if (!failure)
    return usage(
      `invalid --failure-threshold ${JSON.stringify(flags.failureThreshold)}: expected Info, Warning or Error`,
    )
  if (!output)
    return usage(
      `invalid --output-threshold ${JSON.stringify(flags.outputThreshold)}: expected Info, Warning or Error`,
    )
  if (flags.allNamespaces && flags.namespace !== undefined) return usage('-n and -A cannot be used together')
  const paths = [...args, ...flags.filename]
  if (paths.length === 0) {
    return usage(
      'no input: give files or directories to analyze (or - for stdin); Weir analyzes manifests offline',
    )
  }
  const selected = flags.analyzer
    .map((n) => ANALYZERS.find((a) => a.name === n))
    .filter((a): a is Analyzer => !!a)
  for (const n of flags.analyzer) {
    if (!ANALYZERS.some((a) => a.name === n))
      process.stderr.write(`Warning: unknown analyzer ${JSON.stringify(n)} (see --list-analyzers)\n`)
  }
  const result = await analyze({
    paths,
    allNamespaces: flags.allNamespaces === true,
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(selected.length > 0 ? { analyzers: selected } : {}),
    ...(flags.meshConfigFile !== undefined ? { meshConfigFile: flags.meshConfigFile } : {}),
    suppress: flags.suppress,
  })
  const shown = result.messages.filter((m) => atLeast(m.level, output))
  const text = render(shown, format)
  if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  const target = result.namespace === undefined ? 'all namespaces' : `namespace: ${result.namespace}`
  if (shown.length === 0)
    process.stderr.write(`\u2714 No validation issues found when analyzing ${target}.\n`)
  return exitCode(result, format, failure, target)
}

/** istioctl decides the exit code only for log output; JSON and YAML output always exit 0. */
function exitCode(result: AnalyzeResult, format: string, failure: Severity, target: string): number {
  if (format !== 'log') return EXIT.OK
  if (result.messages.some((m) => !UNREADABLE_CODES.has(m.code) && atLeast(m.level, failure))) {
    process.stderr.write(
      `Error: Analyzers found issues when analyzing ${target}.\nSee ${DOCS_URL} for more information about causes and resolutions.\n`,
    )
    return EXIT.ANALYZE_ERRORS
  }
  if (result.unreadable) {
    process.stderr.write("Error: Some files couldn't be parsed.\n")
    return EXIT.DATA
  }
  return EXIT.OK
}
