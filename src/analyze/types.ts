/** @module analyze/types — the shapes shared by the analyzers, the runner and the output formats. */
import type { Severity } from '../api/diagnostics.ts'
import type { Resource } from '../api/resource.ts'
import type { AnalysisContext } from './context.ts'

/** A Go `fmt` argument: a string, a number, or a list of them (printed `[a b]`). */
export type MessageArg = string | number | readonly (string | number)[]

/** One analysis message, as istioctl prints it. */
export interface AnalysisMessage {
  /** `IST0101`, or a Weir code for problems found while loading (`WEIR0003`). */
  code: string
  level: Severity
  /** The message text, template already filled in. */
  text: string
  /** The resource the message is about (absent for loader problems). */
  resource?: Resource
  /** `file:line` of the offending field (or of the resource, or of the loader problem). */
  reference?: string
}

/** Reports a message about a resource; `path` points at the offending field (its line is used). */
export type Report = (
  resource: Resource,
  code: string,
  args: readonly MessageArg[],
  path?: readonly (string | number)[],
) => void

/** Kubernetes-only inputs an analyzer needs to say anything meaningful (istioctl skips it offline without them). */
export type Need = 'pods' | 'services' | 'namespaces' | 'secrets'

/** One analyzer: istioctl's name and description, and a pure function of the loaded resources. */
export interface Analyzer {
  /** istioctl's analyzer name (`virtualservice.GatewayAnalyzer`). */
  name: string
  description: string
  /** Kinds it reads, for `--list-analyzers`. */
  inputs: readonly string[]
  /** Kinds of input without which the analyzer is skipped when analyzing files (see `analyze.ts`). */
  needs?: readonly Need[]
  run(ctx: AnalysisContext, report: Report): void
}
