/** @module cli/registry — every command of `weir`, one file each. Add a command here. */
import type { Command } from 'commander'
import * as analyze from './analyze.ts'
import * as apply from './apply.ts'
import * as create from './create.ts'
import * as dashboard from './dashboard.ts'
import * as del from './delete.ts'
import * as demo from './demo.ts'
import * as describe from './describe.ts'
import * as exec from './exec.ts'
import * as explain from './explain.ts'
import * as gateway from './gateway.ts'
import * as get from './get.ts'
import * as label from './label.ts'
import * as logs from './logs.ts'
import * as prometheusConfig from './prometheus-config.ts'
import * as proxy from './proxy.ts'
import * as proxyConfig from './proxy-config.ts'
import * as proxyStatus from './proxy-status.ts'
import * as replace from './replace.ts'
import * as stat from './stat.ts'
import * as tlsCheck from './tls-check.ts'
import * as top from './top.ts'
import * as traces from './traces.ts'
import * as up from './up.ts'
import * as wait from './wait.ts'

/** Adds one command (and its options) to the program. */
export type RegisterCommand = (program: Command) => void

export const COMMANDS: RegisterCommand[] = [
  // kubectl's verbs
  apply.register,
  create.register,
  replace.register,
  del.register,
  get.register,
  describe.register,
  label.register,
  // istioctl's
  analyze.register,
  explain.register,
  proxyStatus.register,
  proxyConfig.register,
  wait.register,
  tlsCheck.register,
  // the data plane
  proxy.register,
  gateway.register,
  // the local runtime
  up.register,
  demo.register,
  logs.register,
  exec.register,
  // observability
  prometheusConfig.register,
  stat.register,
  top.register,
  traces.register,
  dashboard.register,
]
