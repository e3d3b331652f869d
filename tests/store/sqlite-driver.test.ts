// The two SQLite drivers behind one dialect: whichever opens the file, a busy file, a damaged one
// and a missing driver answer the same codes and messages, and node:sqlite's ExperimentalWarning
// never reaches stderr (hosts show it to people; the CLI's stderr is its error channel). The
// suite as a whole runs on each driver (CI forces `node` under a Node that has it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { expectQueueError } from '../helpers/errors.js';
import { withTempDir } from '../helpers/tmp.js';
import { guardStore } from '../../src/store/db-errors.js';
import { createKyselyStore } from '../../src/store/kysely-store.js';
import { openStore, type DatabaseTarget } from '../../src/store/open.js';
import { createSqliteDialect } from '../../src/store/sqlite.js';
import { openSqlite } from '../../src/store/sqlite-driver.js';
import { insertJob } from './conformance/each-store.js';

/** Whether `driver` opens a database in this Node (node:sqlite needs 22.16; better-sqlite3's binary is built for one Node ABI). */
function loads(driver: 'node' | 'better-sqlite3'): boolean {
  try {
    openSqlite(':memory:', driver, 0).close();
    return true;
  } catch {
    return false;
  }
}
// Asked through the driver loader itself: loading node:sqlite any other way would print its warning.
const HAS_NODE_SQLITE = loads('node');

const DRIVERS = [
  ...(HAS_NODE_SQLITE ? (['node'] as const) : []),
  ...(loads('better-sqlite3') ? (['better-sqlite3'] as const) : []),
];

describe('whichever driver this Node has', () => {
  it('at least one driver loads', () => {
    expect(DRIVERS.length).toBeGreaterThan(0);
  });

  it('auto takes node:sqlite when this Node has it', () => {
    const conn = openSqlite(':memory:', 'auto', 0);
    conn.close();
    expect(conn.driver).toBe(HAS_NODE_SQLITE ? 'node' : 'better-sqlite3');
  });
});

describe.each(DRIVERS)('the %s driver', (driver) => {
  it('opens the file in WAL mode with the pragmas the queue relies on', async () => {
    await withTempDir('driver', async (dir) => {
      const path = join(dir, 'queue.db');
      const d = createSqliteDialect({ path, driver });
      const conn = openSqlite(path, driver, 1_000);
      try {
        expect(conn.driver).toBe(driver);
        // journal_mode is the file's; the others are per connection, read on a connection opened alike.
        expect(conn.value('pragma journal_mode')).toBe('wal');
        expect(conn.value('pragma busy_timeout')).toBe(1_000);
        expect(conn.all('select 1 as one, ? as two', 'x')).toEqual([{ one: 1, two: 'x' }]);
      } finally {
        conn.close();
        await d.close();
      }
    });
  });

  it('a file another connection holds for writing is unavailable, with the same message on both drivers', async () => {
    await withTempDir('driver', async (dir) => {
      const path = join(dir, 'queue.db');
      const target: DatabaseTarget = { kind: 'sqlite', path, driver };
      const setup = openStore(target);
      await setup.migrate();
      await setup.close();
      const store = guardStore(
        createKyselyStore(createSqliteDialect({ path, driver, busyTimeoutMs: 50 })),
        target,
      );
      const holder = openSqlite(path, driver, 0);
      holder.exec('begin immediate');
      try {
        await expectQueueError(
          insertJob(store),
          'unavailable',
          `Cannot use the SQLite file ${path} right now (database is locked). Retry shortly; another process may hold the file, or the disk may be full.`,
        );
      } finally {
        holder.exec('rollback');
        holder.close();
      }
      // Once the lock is gone the same store writes.
      expect((await insertJob(store)).status).toBe('queued');
      await store.close();
    });
  });

  it('a file that is not a database is invalid_argument naming the settings', async () => {
    await withTempDir('driver', async (dir) => {
      const path = join(dir, 'queue.db');
      writeFileSync(path, 'this is not a database, just some text long enough to have a header');
      const store = openStore({ kind: 'sqlite', path, driver }, { migrate: true });
      await expectQueueError(
        store.connect(),
        'invalid_argument',
        `DATABASE_URL / AGENT_QUEUE_HOME: the SQLite file ${path} is not a usable SQLite database (file is not a database).`,
      );
      await store.close();
    });
  });
});

describe.skipIf(HAS_NODE_SQLITE)('a Node without node:sqlite', () => {
  it('AGENT_QUEUE_SQLITE_DRIVER=node is refused with the code and the fix', async () => {
    await withTempDir('driver', async (dir) => {
      const store = openStore({ kind: 'sqlite', path: join(dir, 'q.db'), driver: 'node' });
      await expectQueueError(
        store.connect(),
        'invalid_argument',
        `No SQLite driver: AGENT_QUEUE_SQLITE_DRIVER=node, but Node ${process.version} has no node:sqlite. Use Node >= 22.16 (built-in node:sqlite), or install better-sqlite3 beside agent-queue (npm install -g agent-queue better-sqlite3, or npx -y -p agent-queue -p better-sqlite3 agent-queue).`,
      );
      await store.close();
    });
  });
});

describe.runIf(HAS_NODE_SQLITE)('node:sqlite on stderr', () => {
  const OPEN = fileURLToPath(new URL('../../dist/store/open.js', import.meta.url));

  it('drops its ExperimentalWarning and nothing else', async () => {
    await withTempDir('driver', async (dir) => {
      const script = `
        const { openStore } = await import(${JSON.stringify(OPEN)});
        const store = openStore({ kind: 'sqlite', path: process.argv[1], driver: 'node' });
        await store.migrate();
        await store.close();
        process.emitWarning('another experiment', 'ExperimentalWarning');
        process.emitWarning('SQLite is mentioned by a warning of some other kind');`;
      const r = await execa(process.execPath, ['--input-type=module', '-e', script, join(dir, 'q.db')], {
        reject: false,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/SQLite is an experimental feature/);
      expect(r.stderr).toMatch(/ExperimentalWarning: another experiment/);
      expect(r.stderr).toMatch(/Warning: SQLite is mentioned by a warning of some other kind/);
    });
  });
});
