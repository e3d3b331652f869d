// The agent_concurrency_limits table: a concurrency key's limit of running jobs. A key without a
// row has the default (claim.ts DEFAULT_KEY_LIMIT); the claim reads the table, nothing caches it.
import type { Codec, Row } from './codec.js';
import type { Dialect } from './dialect.js';
import type { KeyLimitRecord, KeyUsage, Store } from './store.js';

type LimitMethods = Pick<Store, 'keyLimitSet' | 'keyLimitRemove' | 'keyLimitList'>;

export function limitMethods(d: Dialect): LimitMethods {
  const { db, codec: c } = d;
  return {
    keyLimitSet({ key, maxRunning, updatedBy, now }) {
      // The previous limit is read under the same write, so the caller knows whether it rose.
      return d.transaction(async (trx) => {
        const before = await trx
          .selectFrom('agent_concurrency_limits')
          .select('max_running')
          .where('key', '=', key)
          .executeTakeFirst();
        const row = { key, max_running: maxRunning, updated_by: updatedBy, updated_at: c.time(now) };
        const after = await trx
          .insertInto('agent_concurrency_limits')
          .values(row)
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              max_running: maxRunning,
              updated_by: updatedBy,
              updated_at: c.time(now),
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return { limit: limitFromRow(c, after), previous: before ? Number(before.max_running) : null };
      });
    },

    async keyLimitRemove({ key }) {
      const row = await db
        .deleteFrom('agent_concurrency_limits')
        .where('key', '=', key)
        .returningAll()
        .executeTakeFirst();
      return row ? limitFromRow(c, row) : null;
    },

    async keyLimitList() {
      const [limits, counts] = await Promise.all([
        db.selectFrom('agent_concurrency_limits').selectAll().execute(),
        db
          .selectFrom('agent_jobs')
          .select((eb) => ['concurrency_key', 'status', eb.fn.countAll<number | string>().as('n')])
          .where('concurrency_key', 'is not', null)
          .where('status', 'in', ['queued', 'running'])
          .groupBy(['concurrency_key', 'status'])
          .execute(),
      ]);
      const byKey = new Map<string, KeyUsage>();
      const usage = (key: string): KeyUsage => {
        let u = byKey.get(key);
        if (!u) byKey.set(key, (u = { key, limit: null, running: 0, queued: 0 }));
        return u;
      };
      for (const r of limits) usage(r.key).limit = limitFromRow(c, r);
      // PostgreSQL answers count(*) as a bigint string.
      for (const r of counts)
        usage(r.concurrency_key!)[r.status === 'running' ? 'running' : 'queued'] = Number(r.n);
      return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}

function limitFromRow(c: Codec, r: Row): KeyLimitRecord {
  return {
    key: String(r.key),
    maxRunning: Number(r.max_running),
    updatedBy: r.updated_by === null || r.updated_by === undefined ? null : String(r.updated_by),
    updatedAt: c.timeOut(r.updated_at),
  };
}
