/** Voting storage 2.0 (real MariaDB), app 2.0 and analytics 2.0: the azurevote table, rows per vote, the 2.0 footer. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import mysql from 'mysql2/promise'
import { fetchText } from '../../samples/lib/fetch.ts'
import { type App, MYSQL_SECRET, startApp, startMariadb, tempDir } from './support.ts'

describe('voting 2.0 with MariaDB', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let storage: App
  let analytics: App
  let app: App
  let conn: mysql.Connection

  const dbEnv = (): Record<string, string> => ({
    MYSQL_HOST: '127.0.0.1',
    MYSQL_PORT: String(storage.port),
    MYSQL_USER: MYSQL_SECRET.MYSQL_USER,
    MYSQL_PASSWORD: MYSQL_SECRET.MYSQL_PASSWORD,
    MYSQL_DATABASE: MYSQL_SECRET.MYSQL_DATABASE,
  })

  before(async () => {
    dir = await tempDir('weir-voting-mysql-')
    storage = await startMariadb(`${dir.path}/data`)
    analytics = await startApp('voting-analytics', { ...dbEnv(), ANALYTICS_VERSION: '2.0' })
    app = await startApp('voting-app', {
      ...dbEnv(),
      APP_VERSION: '2.0',
      SHOWDETAILS: 'true',
      FEATUREFLAG: 'true',
      HOSTNAME: 'voting-app-2-0-7d9f8b6c5-xyz12',
      ANALYTICS_HOST: '127.0.0.1',
      ANALYTICS_PORT: String(analytics.port),
    })
    conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: storage.port,
      user: 'dbuser',
      password: 'Password12',
      database: 'azurevote',
    })
  })
  after(async () => {
    await conn?.end()
    await Promise.all([app, analytics].filter(Boolean).map((a) => a.stop()))
    await storage?.stop()
    await dir?.remove()
  })

  const vote = (value: string) =>
    fetchText(`${app.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `vote=${value}`,
    })

  it('creates database azurevote, user dbuser and table azurevote(voteid auto, votevalue varchar(45))', async () => {
    const [cols] = await conn.query('SHOW COLUMNS FROM azurevote')
    const byName = new Map(
      (cols as { Field: string; Type: string; Extra: string; Key: string }[]).map((c) => [c.Field, c]),
    )
    assert.equal(byName.get('voteid')?.Type, 'int(11)')
    assert.equal(byName.get('voteid')?.Key, 'PRI')
    assert.equal(byName.get('voteid')?.Extra, 'auto_increment')
    assert.equal(byName.get('votevalue')?.Type, 'varchar(45)')
    const root = await mysql.createConnection({
      host: '127.0.0.1',
      port: storage.port,
      user: 'root',
      password: 'Password12',
    })
    const [dbs] = await root.query('SHOW DATABASES')
    await root.end()
    assert.ok((dbs as { Database: string }[]).some((d) => d.Database === 'azurevote'))
  })

  it('inserts one row per vote and shows the analytics 2.0 text with the mysql footer', async () => {
    await vote('reset')
    const r = await vote('Cats')
    assert.equal(r.status, 302)
    await vote('Dogs')
    await vote('Dogs')
    const [rows] = await conn.query('SELECT votevalue FROM azurevote ORDER BY voteid')
    assert.deepEqual(
      (rows as { votevalue: string }[]).map((x) => x.votevalue),
      ['Cats', 'Dogs', 'Dogs'],
    )
    const page = await fetchText(`${app.url}/`)
    assert.ok(page.body.includes('<div id="results"> Cats: 1/3 (33%) | Dogs: 2/3 (67%) </div>'), page.body)
    assert.ok(page.body.includes('host: voting-app-2-0-7d9f8b6c5-xyz12<br/>'))
    assert.ok(page.body.includes('store: mysql</br/>'))
    const a = JSON.parse((await fetchText(`${analytics.url}/analytics`)).body) as Record<string, unknown>
    assert.deepEqual(a.category1, { name: 'Cats', count: 1 })
    assert.deepEqual(a.category2, { name: 'Dogs', count: 2 })
  })

  it('reset deletes every row', async () => {
    await vote('Cats')
    await vote('reset')
    const [rows] = await conn.query('SELECT COUNT(*) AS n FROM azurevote')
    assert.equal(Number((rows as { n: number }[])[0]?.n), 0)
    const page = await fetchText(`${app.url}/`)
    assert.ok(page.body.includes('<div id="results"> Cats: 0/0 (0%) | Dogs: 0/0 (0%) </div>'))
  })

  it('keeps the votes in the data directory across a restart (the PVC)', async () => {
    await vote('Dogs')
    await conn.end()
    await storage.stop()
    storage = await startMariadb(`${dir.path}/data`)
    conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: storage.port,
      user: 'dbuser',
      password: 'Password12',
      database: 'azurevote',
    })
    const [rows] = await conn.query('SELECT votevalue FROM azurevote')
    assert.deepEqual(
      (rows as { votevalue: string }[]).map((x) => x.votevalue),
      ['Dogs'],
    )
  })
})
