/** @module runtime/process/binaries — finds a program on PATH, and names the Debian package that provides a missing one. */
import { accessSync, constants } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'

/** Debian packages for the programs the tutorials' images stand-ins need. */
const PACKAGES: Record<string, string> = {
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  mariadbd: 'mariadb-server',
  mysqld: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  mysql_install_db: 'mariadb-server',
  mysql: 'mariadb-client',
  mariadb: 'mariadb-client',
  curl: 'curl',
  python3: 'python3',
  nc: 'netcat-openbsd',
  unshare: 'util-linux',
  setpriv: 'util-linux',
}

/** The absolute path of `program` (PATH searched, plus /usr/sbin and /sbin), or undefined. */
export function findProgram(program: string, path = process.env.PATH ?? ''): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  if (isAbsolute(program) || program.includes('/')) return executable(program) ? program : undefined
  for (const dir of [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dir) continue
    const p = join(dir, program)
    if (executable(p)) return p
  }
  return undefined
}

/** The Debian package providing `program` (its own name when unknown). */
export function debianPackageFor(program: string): string {
  const base = program.split('/').pop() ?? program
  return PACKAGES[base] ?? base
}

/** A clear message for a missing program. */
export function missingProgramMessage(
  program: string,
  image: string,
  pkg = debianPackageFor(program),
): string {
  return `image ${image} needs \`${program}\`, which is not installed: apt-get install -y ${pkg}`
}
