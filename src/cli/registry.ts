/** @module cli/registry — every command of `weir`, one file each. Add a command here. */
import type { Command } from 'commander'
import { register as apply } from './apply.ts'
import { register as create } from './create.ts'
import { register as del } from './delete.ts'
import { register as describe } from './describe.ts'
import { register as get } from './get.ts'
import { register as label } from './label.ts'
import { register as replace } from './replace.ts'

/** Adds one command (and its options) to the program. */
export type RegisterCommand = (program: Command) => void

export const COMMANDS: RegisterCommand[] = [apply, create, replace, del, get, label, describe]
