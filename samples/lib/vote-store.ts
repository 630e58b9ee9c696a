/** @module samples/lib/vote-store — the voting apps' storage: Redis counters (1.x) or the MySQL `azurevote` table (2.0). */
import { createRedisClient } from './redis.ts'

/** Where votes are kept. */
export interface VoteStore {
  /** `redis` or `mysql`: the footer's `store:` value. */
  readonly kind: 'redis' | 'mysql'
  vote(value: string): Promise<void>
  /** Sets both categories back to zero. */
  reset(categories: readonly string[]): Promise<void>
  /** The vote count of each category, in order. */
  counts(categories: readonly string[]): Promise<number[]>
  close(): void
}

/** Redis store: `INCR <vote>`, reset sets each category to 0, counts are `GET <category>`. */
export function createRedisVoteStore(env: NodeJS.ProcessEnv = process.env): VoteStore {
  const host = env.REDIS_HOST || 'voting-storage'
  const port = Number(env.REDIS_PORT || 6379)
  const client = createRedisClient(host, port)
  return {
    kind: 'redis',
    async vote(value) {
      await client.command('INCR', value)
    },
    async reset(categories) {
      for (const c of categories) await client.command('SET', c, '0')
    },
    async counts(categories) {
      const out: number[] = []
      for (const c of categories) {
        const n = Number.parseInt(String((await client.command('GET', c)) ?? ''), 10)
        out.push(Number.isNaN(n) ? 0 : n)
      }
      return out
    },
    close: () => client.close(),
  }
}

/** MySQL store: one `azurevote` row per vote; reset deletes every row; counts group by `votevalue`. */
export async function createMysqlVoteStore(env: NodeJS.ProcessEnv = process.env): Promise<VoteStore> {
  const mysql = await import('mysql2/promise')
  const pool = mysql.createPool({
    host: env.MYSQL_HOST || 'voting-storage',
    user: env.MYSQL_USER ?? '',
    password: env.MYSQL_PASSWORD ?? '',
    database: env.MYSQL_DATABASE ?? '',
    port: Number(env.MYSQL_PORT || 3306),
    waitForConnections: true,
    connectionLimit: 5,
    queueLimit: 0,
  })
  return {
    kind: 'mysql',
    async vote(value) {
      await pool.query('INSERT INTO azurevote (votevalue) VALUES (?)', [value])
    },
    async reset() {
      await pool.query('DELETE FROM azurevote')
    },
    async counts(categories) {
      const [rows] = await pool.query(
        'SELECT votevalue, COUNT(votevalue) AS count FROM azurevote WHERE votevalue IN (?) GROUP BY votevalue',
        [categories],
      )
      const byValue = new Map<string, number>()
      for (const r of rows as { votevalue: string; count: number | string }[]) {
        byValue.set(r.votevalue, Number(r.count))
      }
      return categories.map((c) => byValue.get(c) ?? 0)
    },
    close: () => {
      void pool.end()
    },
  }
}

/** The store named by `kind`. */
export async function createVoteStore(
  kind: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<VoteStore> {
  return kind === 'mysql' ? createMysqlVoteStore(env) : createRedisVoteStore(env)
}
