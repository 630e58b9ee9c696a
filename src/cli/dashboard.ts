/** @module cli/dashboard — `weir dashboard`: prints the dashboard's login URL, and opens a browser when one is available. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { EXIT } from './exit-codes.ts'
import { resolveTarget, type TargetFlags, withTargetOptions } from './format/target.ts'

/** The `xdg-open`-like opener of this desktop, or undefined when there is no display to open on. */
function opener(env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform === 'darwin') return '/usr/bin/open'
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined
  return ['/usr/bin/xdg-open', '/usr/local/bin/xdg-open'].find((p) => existsSync(p))
}

/** Registers `weir dashboard`. */
export function register(program: Command): void {
  const cmd = program
    .command('dashboard')
    .description(
      'print the web dashboard’s URL (with a login token) and open it in a browser when one is available',
    )
    .option('--no-browser', 'only print the URL')
  withTargetOptions(cmd).action((opts: TargetFlags & { browser: boolean }) => {
    const target = resolveTarget(opts)
    if (!target.ok) {
      process.stderr.write(`error: ${target.error}\n`)
      process.exitCode = EXIT.FAILED
      return
    }
    const url = `${target.target.url}/ui/?token=${encodeURIComponent(target.target.token)}`
    process.stdout.write(`${url}\n`)
    const open = opts.browser ? opener(process.env) : undefined
    if (!open) return
    const child = spawn(open, [url], { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
  })
}
