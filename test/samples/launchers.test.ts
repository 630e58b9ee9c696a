/** The Redis and MariaDB launchers: a clear error naming the Debian package, and the storage init SQL. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { initSql } from '../../samples/voting-storage-mysql/init-sql.ts'
import { runApp } from './support.ts'

describe('launchers', () => {
  it('redis: a missing redis-server is exit 127 naming the Debian package', async () => {
    const r = await runApp('redis', [], { PATH: '/nonexistent', PORT: '6390' })
    assert.equal(r.code, 127)
    assert.match(r.stderr, /redis-server not found on PATH: install the Debian package redis-server/)
  })

  it('voting storage: the init SQL creates the table, the user and the root password, quoting values', () => {
    const sql = initSql({
      database: 'azurevote',
      user: 'dbuser',
      password: "it's",
      rootPassword: 'Password12',
      machine: 'voting-storage-2-0-abc',
    })
    assert.match(sql, /CREATE DATABASE IF NOT EXISTS `azurevote`;/)
    assert.match(
      sql,
      /CREATE TABLE IF NOT EXISTS `azurevote`\.`azurevote` \(`voteid` INT NOT NULL AUTO_INCREMENT, `votevalue` VARCHAR\(45\) NULL, PRIMARY KEY \(`voteid`\)\);/,
    )
    assert.match(sql, /CREATE USER IF NOT EXISTS 'dbuser'@'%' IDENTIFIED BY 'it''s';/)
    assert.match(sql, /GRANT ALL ON `azurevote`\.\* TO 'dbuser'@'%';/)
    assert.match(sql, /ALTER USER 'root'@'localhost' IDENTIFIED BY 'Password12';/)
    assert.ok(
      !initSql({ database: '', user: '', password: '', rootPassword: '', machine: 'localhost' }).includes(
        "'root'@'localhost';",
      ),
    )
  })
})
