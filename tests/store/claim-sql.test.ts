// The claim's candidate query (src/store/claim.ts) as each database runs it. The PostgreSQL pick is
// generated from it: the migrations must hold the generated text, and the function must keep its
// pinned plan. On both databases the query walks the partial claim index in order, never sorting.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { BACKENDS, type TestDb } from '../helpers/backends.js';
import { insertQueuedJobs, withRawConnection } from '../helpers/sql.js';
import {
  definesCurrentPick,
  pickFunctionSql,
  pickMigration,
  pickMigrationSql,
} from '../../src/store/claim-sql.js';
import { bound, candidates, POSTGRES_LISTS, SQLITE_LISTS } from '../../src/store/claim.js';
import { loadMigrations } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';

/** A Kysely that only compiles (no connection), to see the SQL each dialect runs. */
const compiler = (dialect: 'postgres' | 'sqlite') =>
  new Kysely<Database>({
    dialect: {
      createAdapter: () => (dialect === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) =>
        dialect === 'postgres' ? new PostgresIntrospector(k) : new SqliteIntrospector(k),
      createQueryCompiler: () =>
        dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
  });

describe('generated claim pick', () => {
  it('the newest migration defining agent_queue_pick holds the compiled text', () => {
    const m = pickMigration();
    expect(m.newest, 'no migration defines agent_queue_pick: run npm run gen:sql').toBeDefined();
    expect(definesCurrentPick(m.newest!.sql), 'the claim query changed: run npm run gen:sql').toBe(true);
    expect(m.upToDate).toBe(true);
  });

  it('is generated with parameters and literals only, locked with SKIP LOCKED, plan settings pinned', () => {
    const text = pickFunctionSql();
    expect(text).toMatch(
      /^CREATE OR REPLACE FUNCTION agent_queue_pick\(p_now timestamptz, p_queue text, p_types text\[\], p_capabilities text\[\], p_unless_paused boolean\)\nRETURNS uuid\nLANGUAGE plpgsql VOLATILE\nSET enable_sort = off\nSET enable_bitmapscan = off\nSET jit = off\nSET plan_cache_mode = force_generic_plan\n/,
    );
    expect(text).toContain('order by "priority" desc, "created_at", "id" limit 1 for update skip locked');
    expect(text).not.toMatch(/\$\d/);
  });

  it('drops the old signature first when the parameters change, and only then', () => {
    const same = pickMigrationSql(pickFunctionSql());
    expect(same).not.toContain('DROP FUNCTION');
    expect(pickMigrationSql(FEWER)).toContain(
      'DROP FUNCTION IF EXISTS agent_queue_pick(timestamptz, text[], text[]);\nCREATE OR REPLACE FUNCTION agent_queue_pick(',
    );
    // Same types, a renamed parameter: no new overload, but CREATE OR REPLACE still refuses it.
    expect(pickMigrationSql(RENAMED)).toContain(
      'DROP FUNCTION IF EXISTS agent_queue_pick(timestamptz, text, text[], text[], boolean);\nCREATE OR REPLACE',
    );
  });

  it('the next step is numbered after the last one, for both dialects', () => {
    const { next } = pickMigration();
    const last = loadMigrations('postgres').at(-1)!.version;
    expect(next.version).toBe(last + 1);
    expect(next.files.map((f) => f.path.split(/[\\/]/).slice(-2).join('/'))).toEqual([
      `postgres/${String(last + 1).padStart(4, '0')}_claim_pick.sql`,
      `sqlite/${String(last + 1).padStart(4, '0')}_claim_pick.sql`,
    ]);
  });
});

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

/** Earlier definitions with other parameters, as a future change of the claim makes them. */
const oldPick = (args: string) =>
  `CREATE OR REPLACE FUNCTION agent_queue_pick(${args})\nRETURNS uuid LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN NULL; END $$;`;
/** Same types, one parameter renamed: CREATE OR REPLACE refuses it. */
const RENAMED = oldPick(
  'p_now timestamptz, p_queue text, p_kinds text[], p_capabilities text[], p_unless_paused boolean',
);
/** One parameter fewer: CREATE OR REPLACE would add an overload and leave this one behind. */
const FEWER = oldPick('p_now timestamptz, p_types text[], p_capabilities text[]');

describe.skipIf(!postgres.available)('generated claim pick on PostgreSQL', () => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  async function migrated(): Promise<TestDb> {
    db = await postgres.create();
    const store = db.open();
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    return db;
  }

  it('a migration after a signature change applies and leaves one function, the new one', async () => {
    db = await postgres.create();
    const found = await withRawConnection(db, {
      sqlite: () => [],
      postgres: async (c) => {
        const signatures = async () =>
          (
            await c.query(
              `select pg_get_function_identity_arguments(oid) as args from pg_proc
               where proname = 'agent_queue_pick' and pronamespace = current_schema()::regnamespace`,
            )
          ).rows.map((row: { args: string }) => row.args);
        const out: string[][] = [];
        await c.query(RENAMED);
        // Without the DROP, CREATE OR REPLACE refuses the renamed parameter.
        await expect(c.query(pickFunctionSql())).rejects.toThrow(/cannot change name of input parameter/);
        await c.query(pickMigrationSql(RENAMED));
        out.push(await signatures());
        await c.query(FEWER);
        await c.query(pickMigrationSql(FEWER));
        out.push(await signatures());
        return out;
      },
    });
    const current =
      'p_now timestamp with time zone, p_queue text, p_types text[], p_capabilities text[], p_unless_paused boolean';
    expect(found).toEqual([[current], [current]]);
  });

  it('the migrated database runs the generated function, volatile, with its plan settings', async () => {
    const t = await migrated();
    const [fn] = await withRawConnection(t, {
      sqlite: () => [],
      postgres: async (c) =>
        (
          await c.query(
            `select provolatile, proconfig, prosrc from pg_proc
             where proname = 'agent_queue_pick' and pronamespace = current_schema()::regnamespace`,
          )
        ).rows,
    });
    expect(fn.provolatile).toBe('v');
    expect(fn.proconfig).toEqual([
      'enable_sort=off',
      'enable_bitmapscan=off',
      'jit=off',
      'plan_cache_mode=force_generic_plan',
    ]);
    const body = pickFunctionSql().split('AS $$')[1]!.split('$$;')[0];
    expect(fn.prosrc).toBe(body);
  });

  it('with those settings the candidate query walks the partial claim index without sorting', async () => {
    const t = await migrated();
    // No ANALYZE after a bulk insert: the stale statistics the pinned plan guards against.
    await insertQueuedJobs(t, 2_000, 'build');
    const query = candidates(
      compiler('postgres'),
      POSTGRES_LISTS,
      bound({ now: new Date(), queue: 'default', types: ['build'], capabilities: [], unlessPaused: true }),
    )
      .forUpdate()
      .skipLocked()
      .compile();
    const plan = await withRawConnection(t, {
      sqlite: () => '',
      postgres: async (c) => {
        await c.query('begin');
        try {
          await c.query('set local enable_sort = off');
          await c.query('set local enable_bitmapscan = off');
          const rows = (await c.query(`explain ${query.sql}`, [...query.parameters])).rows;
          return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        } finally {
          await c.query('rollback');
        }
      },
    });
    expect(plan).toMatch(/Index Scan using agent_jobs_claim_idx/);
    expect(plan).not.toMatch(/\bSort\b/);
  });
});

describe('claim pick on SQLite', () => {
  it('the candidate query walks the partial claim index in order', async () => {
    const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
    const t = await sqlite.create();
    try {
      const store = t.open();
      await store.migrate();
      await store.close();
      await insertQueuedJobs(t, 2_000, 'build');
      for (const types of [undefined, ['build']]) {
        const pick = { now: Date.now(), queue: 'default', types, capabilities: ['gpu'], unlessPaused: true };
        const query = candidates(compiler('sqlite'), SQLITE_LISTS, bound(pick)).compile();
        const plan = await withRawConnection(t, {
          sqlite: (raw) =>
            raw
              .all(`explain query plan ${query.sql}`, ...(query.parameters as unknown[]))
              .map((r) => (r as { detail: string }).detail),
          postgres: async () => [],
        });
        // A SEARCH on its leading column (the queue), then in index order.
        expect(plan).toContain('SEARCH agent_jobs USING INDEX agent_jobs_claim_idx (queue=?)');
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      }
    } finally {
      await t.drop();
    }
  });
});
