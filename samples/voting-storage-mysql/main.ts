/**
 * @module samples/voting-storage-mysql/main — stand-in for `mcr.microsoft.com/aks/samples/voting/storage:2.0`
 * (mysql:5.7 plus the `azurevote` table). Runs the real `mariadbd` (or `mysqld`) with the data directory
 * from `--datadir=` or env `DATADIR` (the PVC mount; default a stable temp dir per pod), initialises it on
 * first start, and on every start makes sure of what the image's init does: database `MYSQL_DATABASE`, user
 * `MYSQL_USER`/`MYSQL_PASSWORD` with all rights on it, root password `MYSQL_ROOT_PASSWORD`, and table
 * `azurevote(voteid INT AUTO_INCREMENT PRIMARY KEY, votevalue VARCHAR(45))`. Listens on `--port`/`PORT`/
 * `MYSQL_TCP_PORT` (default 3306). Other mysqld options (the manifest's `--ignore-db-dir=lost+found`) are
 * accepted and ignored.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { requireBinary, runServer } from '../lib/launch.ts'
import { argValue, listenHost, listenPort, podName } from '../lib/serve.ts'
import { initSql } from './init-sql.ts'

const env = process.env
const server = requireBinary(['mariadbd', 'mysqld'], 'mariadb-server')
const port = listenPort(Number(env.MYSQL_TCP_PORT || 3306))
const host = listenHost()
const datadir = resolve(argValue('datadir') ?? (env.DATADIR || join(tmpdir(), `weir-mysql-${podName()}`)))
const runAsRoot = process.getuid?.() === 0
const common = ['--no-defaults', `--datadir=${datadir}`, ...(runAsRoot ? ['--user=root'] : [])]

mkdirSync(datadir, { recursive: true })
if (!existsSync(join(datadir, 'mysql'))) {
  const installer = requireBinary(['mariadb-install-db', 'mysql_install_db'], 'mariadb-server')
  process.stdout.write(`initialising MariaDB data directory ${datadir}\n`)
  const r = spawnSync(
    installer,
    [...common, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  )
  if (r.status !== 0) {
    process.stderr.write(`${installer} failed (exit ${r.status}):\n${r.stdout}${r.stderr}\n`)
    process.exit(1)
  }
}

const initFile = join(datadir, 'weir-init.sql')
writeFileSync(
  initFile,
  initSql({
    database: env.MYSQL_DATABASE ?? '',
    user: env.MYSQL_USER ?? '',
    password: env.MYSQL_PASSWORD ?? '',
    rootPassword: env.MYSQL_ROOT_PASSWORD ?? '',
    machine: hostname(),
  }),
)

runServer(
  server,
  [
    ...common,
    `--port=${port}`,
    `--bind-address=${host}`,
    `--socket=${join(datadir, 'mysqld.sock')}`,
    `--pid-file=${join(datadir, 'mysqld.pid')}`,
    `--init-file=${initFile}`,
    '--skip-name-resolve',
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
    '--innodb-log-file-size=8M',
    '--performance-schema=OFF',
  ],
  /ready for connections/,
  () => process.stdout.write(`voting-storage-mysql listening on mysql://${host}:${port}\n`),
)
