// Opening the database: a target that cannot be used answers a coded error naming the setting to
// fix, at the first call (and at connect()), and the same store opens once the cause is gone.
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, PG_URL } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';
import { withTempDir } from '../helpers/tmp.js';
import { openStore } from '../../src/store/open.js';
import { openQueue } from '../../src/open.js';
import { loadSettings } from '../../src/settings/index.js';

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

describe('sqlite: a path that cannot hold the queue', () => {
  it('names the file and the settings, then opens once the folder is fixed', async () => {
    await withTempDir('open', async (dir) => {
      // A plain file where the folder should be: mkdir fails (ENOTDIR), as it would for a read-only folder.
      writeFileSync(join(dir, 'home'), 'not a folder');
      const path = join(dir, 'home', 'queue.db');
      const store = openStore({ kind: 'sqlite', path }, { migrate: true });
      await expectQueueError(store.connect(), 'invalid_argument', /DATABASE_URL \/ AGENT_QUEUE_HOME/);
      await expectQueueError(
        store.jobGet({ id: '00000000-0000-7000-8000-000000000000' }),
        'invalid_argument',
        path,
      );
      rmSync(join(dir, 'home'));
      mkdirSync(join(dir, 'home'));
      // Failures are remembered for about a second so an outage answers fast; then it tries again.
      await new Promise((r) => setTimeout(r, 1_100));
      await store.connect();
      expect(await store.jobGet({ id: '00000000-0000-7000-8000-000000000000' })).toBeNull();
      await store.close();
    });
  });

  it('refuses a file that is not a SQLite database', async () => {
    await withTempDir('open', async (dir) => {
      const path = join(dir, 'queue.db');
      writeFileSync(path, 'this is not a database, just some text long enough to have a header');
      const store = openStore({ kind: 'sqlite', path }, { migrate: true });
      await expectQueueError(store.connect(), 'invalid_argument', /not a usable SQLite database/);
      await store.close();
    });
  });
});

describe.runIf(postgres.available)('postgres: targets that cannot be used', () => {
  it('an unknown database is invalid_argument naming DATABASE_URL and the database', async () => {
    const url = new URL(PG_URL);
    url.pathname = '/agent_queue_no_such_db';
    const store = openStore({ kind: 'postgres', url: url.toString() }, { migrate: true });
    await expectQueueError(store.connect(), 'invalid_argument', /DATABASE_URL.*agent_queue_no_such_db/);
    await store.close();
  });

  it('a missing schema is invalid_argument naming AGENT_QUEUE_PG_SCHEMA', async () => {
    const store = openStore(
      { kind: 'postgres', url: PG_URL, schema: 'agent_queue_no_such_schema' },
      { migrate: true },
    );
    await expectQueueError(store.connect(), 'invalid_argument', /AGENT_QUEUE_PG_SCHEMA/);
    await store.close();
  });

  it('nothing listening is unavailable naming DATABASE_URL, and the password is never shown', async () => {
    for (const url of [
      'postgres://someone:s3cret@127.0.0.1:1/test',
      'postgres://someone@127.0.0.1:1/test?password=s3cret&sslpassword=s3cret',
    ]) {
      const store = openStore({ kind: 'postgres', url }, { migrate: true });
      const err = await expectQueueError(store.connect(), 'unavailable', /DATABASE_URL/);
      expect(err.message).toContain('postgres://someone');
      expect(err.message).not.toContain('s3cret');
      await store.close();
    }
  });

  it('a TLS connection that cannot be made is invalid_argument naming DATABASE_URL', async () => {
    // Whether this server speaks TLS or not, the test server's certificate is never one that
    // verify-full (pg's reading of sslmode=require) accepts.
    const store = openStore({ kind: 'postgres', url: `${PG_URL}?sslmode=require` }, { migrate: true });
    await expectQueueError(store.connect(), 'invalid_argument', /DATABASE_URL.*TLS/);
    await store.close();
  });

  it('a CLI-style open fails now with the code; a lazy open returns and answers per call', async () => {
    const settings = loadSettings({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' } });
    await expectQueueError(openQueue(settings), 'unavailable', /DATABASE_URL/);
    const lazy = await openQueue(settings, { lazy: true });
    await expectQueueError(lazy.service.list({}), 'unavailable', /DATABASE_URL/);
    await lazy.close();
  });
});
