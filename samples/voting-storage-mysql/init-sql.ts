/** @module samples/voting-storage-mysql/init-sql — the SQL run at every start (idempotent). */

/** Settings from the Secret `voting-storage-secret`. */
export interface InitSettings {
  database: string
  user: string
  password: string
  rootPassword: string
  /** The machine's host name (install-db may create anonymous users for it). */
  machine: string
}

/** Quotes a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
}

/** Quotes a SQL identifier. */
export function sqlIdent(s: string): string {
  return `\`${s.replaceAll('`', '``')}\``
}

/** The statements: root password, database, user, grants and the `azurevote` table. */
export function initSql(s: InitSettings): string {
  // As the mysql image does: no anonymous users, root only at localhost (with a password) and at '%'.
  const lines = [
    `DROP USER IF EXISTS ''@'localhost';`,
    `DROP USER IF EXISTS 'root'@'127.0.0.1';`,
    `DROP USER IF EXISTS 'root'@'::1';`,
  ]
  if (s.machine && s.machine !== 'localhost') {
    lines.push(
      `DROP USER IF EXISTS ''@${sqlString(s.machine)};`,
      `DROP USER IF EXISTS 'root'@${sqlString(s.machine)};`,
    )
  }
  if (s.rootPassword) {
    lines.push(
      `ALTER USER 'root'@'localhost' IDENTIFIED BY ${sqlString(s.rootPassword)};`,
      `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${sqlString(s.rootPassword)};`,
      `GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;`,
    )
  }
  if (s.database) {
    const db = sqlIdent(s.database)
    lines.push(
      `CREATE DATABASE IF NOT EXISTS ${db};`,
      `CREATE TABLE IF NOT EXISTS ${db}.\`azurevote\` (\`voteid\` INT NOT NULL AUTO_INCREMENT, ` +
        `\`votevalue\` VARCHAR(45) NULL, PRIMARY KEY (\`voteid\`));`,
    )
    if (s.user) {
      lines.push(
        `CREATE USER IF NOT EXISTS ${sqlString(s.user)}@'%' IDENTIFIED BY ${sqlString(s.password)};`,
        `ALTER USER ${sqlString(s.user)}@'%' IDENTIFIED BY ${sqlString(s.password)};`,
        `GRANT ALL ON ${db}.* TO ${sqlString(s.user)}@'%';`,
      )
    }
  }
  lines.push('FLUSH PRIVILEGES;')
  return `${lines.join('\n')}\n`
}
