// The two backends every queue behaviour runs on. Each test gets its own database: a fresh
// PostgreSQL schema or a fresh SQLite file. With CI=true an unreachable PostgreSQL fails the run;
// locally it is skipped with a loud message.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { makeTempDir } from './tmp.js';
import { openStore, type DatabaseTarget } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { QueueService } from '../../src/queue/service.js';
import { Wakeups } from '../../src/queue/wakeups.js';
import type { QueueSettings } from '../../src/queue/settings.js';
import type { Clock } from '../../src/queue/clock.js';
import { SQLITE_DRIVERS, type SqliteDriverChoice } from '../../src/store/sqlite-driver.js';

export const PG_URL = process.env.AGENT_QUEUE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * The SQLite driver every SQLite test database is opened with, as the server reads it
 * (AGENT_QUEUE_SQLITE_DRIVER, default auto): CI runs the suite once more under a Node that has
 * node:sqlite with `node` forced, so both drivers pass the same tests.
 */
export const SQLITE_DRIVER: SqliteDriverChoice = (() => {
  const raw = process.env.AGENT_QUEUE_SQLITE_DRIVER?.trim() || 'auto';
  if (!(SQLITE_DRIVERS as readonly string[]).includes(raw))
    throw new Error(`AGENT_QUEUE_SQLITE_DRIVER="${raw}": use one of ${SQLITE_DRIVERS.join(', ')}`);
  return raw as SqliteDriverChoice;
})();

/**
 * Runs fn on a connection of its own to the test server itself, outside any test's schema: creating
 * and dropping schemas, ending other backends. (SQL inside a test database: withRawConnection.)
 */
export async function withPgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function probePostgres(): Promise<string | null> {
  try {
    await withPgAdmin((c) => c.query('select 1'));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const pgProblem = await probePostgres();
if (pgProblem && IN_CI) {
  throw new Error(`PostgreSQL at ${PG_URL} is unreachable (${pgProblem}); CI requires it.`);
}
if (pgProblem) {
  console.warn(
    `\n!!! PostgreSQL at ${PG_URL} is unreachable (${pgProblem}): POSTGRES TESTS ARE SKIPPED !!!\n`,
  );
}

/** A fresh, migrated, isolated database. `target` lets a test open more connections (or processes) to it. */
export interface TestDb {
  target: DatabaseTarget;
  /** DATABASE_URL (+ AGENT_QUEUE_PG_SCHEMA) for a child process using the same database. */
  env: Record<string, string>;
  open(): Store;
  drop(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  available: boolean;
  create(): Promise<TestDb>;
}

const sqliteBackend: Backend = {
  name: 'sqlite',
  available: true,
  async create() {
    const dir = makeTempDir('test');
    const path = join(dir.path, 'queue.db');
    const target: DatabaseTarget = {
      kind: 'sqlite',
      path,
      ...(SQLITE_DRIVER === 'auto' ? {} : { driver: SQLITE_DRIVER }),
    };
    return {
      target,
      env: {
        DATABASE_URL: `sqlite://${path}`,
        ...(SQLITE_DRIVER === 'auto' ? {} : { AGENT_QUEUE_SQLITE_DRIVER: SQLITE_DRIVER }),
      },
      open: () => openStore(target),
      drop: async () => dir.remove(),
    };
  },
};

const postgresBackend: Backend = {
  name: 'postgres',
  available: pgProblem === null,
  async create() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await withPgAdmin((c) => c.query(`create schema ${schema}`));
    const target: DatabaseTarget = { kind: 'postgres', url: PG_URL, schema };
    return {
      target,
      env: { DATABASE_URL: PG_URL, AGENT_QUEUE_PG_SCHEMA: schema },
      open: () => openStore(target),
      drop: async () => void (await withPgAdmin((c) => c.query(`drop schema if exists ${schema} cascade`))),
    };
  },
};

export const BACKENDS: Backend[] = [sqliteBackend, postgresBackend];

export interface TestQueue {
  db: TestDb;
  store: Store;
  service: QueueService;
  /** Another service on its own connection(s) to the same database, as a second process would have. */
  connect(opts?: { clock?: Clock; settings?: Partial<QueueSettings> }): QueueService;
  /**
   * Resolves once n long-poll claims (or watchJob calls) of `service` (default: `service` above) are
   * blocked waiting for a wake-up: await it, not a sleep, before making the change that should wake them.
   */
  whenIdle(n?: number, service?: QueueService): Promise<void>;
  close(): Promise<void>;
}

/** Opens a migrated, isolated queue on the backend. Always `await q.close()` (afterEach). */
export async function openTestQueue(
  backend: Backend,
  opts: { clock?: Clock; settings?: Partial<QueueSettings>; random?: () => number } = {},
): Promise<TestQueue> {
  const db = await backend.create();
  const extra: { store: Store; service: QueueService }[] = [];
  const store = db.open();
  await store.migrate();
  // Each service's wake-up fan-out, kept so that whenIdle can ask it.
  const wakeups = new Map<QueueService, Wakeups>();
  const make = (s: Store, o: typeof opts) => {
    const w = new Wakeups(s);
    const svc = new QueueService({
      store: s,
      wakeups: w,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.settings ? { settings: o.settings } : {}),
      ...(o.random ? { random: o.random } : {}),
    });
    wakeups.set(svc, w);
    return svc;
  };
  const service = make(store, opts);
  return {
    db,
    store,
    service,
    connect(o = {}) {
      const s = db.open();
      const svc = make(s, { ...opts, ...o });
      extra.push({ store: s, service: svc });
      return svc;
    },
    whenIdle(n = 1, svc = service) {
      const w = wakeups.get(svc);
      if (!w) throw new Error('whenIdle: not a service of this test queue');
      return w.whenIdle(n);
    },
    async close() {
      for (const e of [...extra, { store, service }]) {
        await e.service.close();
        await e.store.close();
      }
      await db.drop();
    },
  };
}

/** describe.each over both backends; an unavailable PostgreSQL is skipped locally (never in CI). */
export const backendsForSuite = (): Backend[] => BACKENDS.filter((b) => b.available);

/**
 * Gives every test of the enclosing describe a fresh isolated queue (through `set`) and closes it
 * afterwards. `options` runs before each test, so a fresh FakeClock can be made there.
 */
export function useTestQueue(
  backend: Backend,
  set: (q: TestQueue) => void,
  options: () => Parameters<typeof openTestQueue>[1] = () => ({}),
): void {
  let current: TestQueue | undefined;
  beforeEach(async () => {
    current = await openTestQueue(backend, options());
    set(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}
