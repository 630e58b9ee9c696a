/** @module cli/registry — every command of `weir`, one file each. Add a command here. */
import type { Command } from 'commander'
import { register as proxy } from './proxy.ts'

/** Adds one command (and its options) to the program. */
export type RegisterCommand = (program: Command) => void

export const COMMANDS: RegisterCommand[] = [proxy]
