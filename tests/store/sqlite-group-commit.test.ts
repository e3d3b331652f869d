// SQLite's group commit (sqlite.ts): transactions asked for while another runs share one
// BEGIN IMMEDIATE … COMMIT, each in a savepoint. Each must still behave as its own transaction: a
// member that throws leaves no trace and gets its own error, the others commit; everyone is answered
// only once the COMMIT is done (a reader on another connection sees the rows by then).
import { sql } from 'kysely';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../helpers/tmp.js';
import { createSqliteDialect } from '../../src/store/sqlite.js';
import { openSqlite } from '../../src/store/sqlite-driver.js';
import { SQLITE_DRIVER } from '../helpers/backends.js';

describe('SQLite group commit', () => {
  it('runs concurrent transactions as one commit, each all or nothing', () =>
    withTempDir('group-commit', async (dir) => {
      const path = join(dir, 'q.db');
      const d = createSqliteDialect({ path, driver: SQLITE_DRIVER });
      await sql`create table t (n integer primary key)`.execute(d.db);
      // Another connection, as another process would read the file.
      const reader = openSqlite(path, SQLITE_DRIVER, 1_000);
      const count = () => Number(reader.value('select count(*) from t'));
      const seenAtAnswer: number[] = [];
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) =>
          d
            .transaction(async (trx) => {
              await sql`insert into t (n) values (${n})`.execute(trx);
              // An earlier member's rows are visible to a later one, as in serial transactions.
              if (n === 7) throw new Error(`member ${n} failed after its insert`);
              if (n === 9) await sql`insert into t (n) values (${0})`.execute(trx); // a constraint error
              return n;
            })
            .then((n) => {
              seenAtAnswer.push(count());
              return n;
            }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 12 }, (_, n) => (n === 7 || n === 9 ? 'rejected' : 'fulfilled')),
      );
      expect((results[7] as PromiseRejectedResult).reason.message).toBe('member 7 failed after its insert');
      expect(String((results[9] as PromiseRejectedResult).reason.message)).toMatch(/UNIQUE/i);
      const rows = reader.all('select n from t order by n').map((r) => Number((r as { n: number }).n));
      expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 10, 11]);
      // Answered after the commit: the other connection already saw every committed row.
      expect(seenAtAnswer.every((n) => n === 10)).toBe(true);
      reader.close();
      await d.close();
    }));

  it('a lone transaction that throws is rolled back, and the next one runs', () =>
    withTempDir('group-commit', async (dir) => {
      const d = createSqliteDialect({ path: join(dir, 'q.db'), driver: SQLITE_DRIVER });
      await sql`create table t (n integer primary key)`.execute(d.db);
      await expect(
        d.transaction(async (trx) => {
          await sql`insert into t (n) values (1)`.execute(trx);
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(
        await d.transaction(async (trx) => (await sql`select count(*) as c from t`.execute(trx)).rows),
      ).toEqual([{ c: 0 }]);
      await d.close();
    }));
});
