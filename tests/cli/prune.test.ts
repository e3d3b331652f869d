// `agent-queue prune` as a real subprocess on both backends: deletes finished jobs older than
// --older-than-days (default AGENT_QUEUE_RETENTION_DAYS) and says how many.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import { insertFinishedJobs, queryNumber } from '../helpers/sql.js';

const DAY_MS = 86_400_000;

describe.each(backendsForSuite())('cli prune ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  const jobs = () => queryNumber(q.db, 'select count(*) from agent_jobs');

  it('deletes finished jobs older than the given age, by default the retention setting', async () => {
    const now = Date.now();
    await insertFinishedJobs(q.db, 30, { type: 'old', finishedAt: new Date(now - 20 * DAY_MS) });
    await insertFinishedJobs(q.db, 5, { type: 'newer', finishedAt: new Date(now - 3 * DAY_MS) });
    await q.service.enqueue({ type: 'waiting' });

    const none = await runCli(env, ['prune', '--older-than-days', '30']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('deleted 0 finished job(s) older than 30 day(s)');
    expect(await jobs()).toBe(36);

    const byDefault = await cliJson(env, ['--json', 'prune']);
    expect(byDefault).toEqual({ deleted: 30, olderThanDays: 14 });
    expect(await jobs()).toBe(6);

    const byEnv = await runCli({ ...env, AGENT_QUEUE_RETENTION_DAYS: '2' }, ['prune']);
    expect(byEnv.stdout).toBe('deleted 5 finished job(s) older than 2 day(s)');
    expect(await jobs()).toBe(1);
  });

  it('refuses a bad age without touching the queue', async () => {
    await insertFinishedJobs(q.db, 3, { type: 'old', finishedAt: new Date(Date.now() - 20 * DAY_MS) });
    const notNumber = await runCli(env, ['prune', '--older-than-days', 'soon']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/--older-than-days.*expected a whole number/);
    const negative = await runCli(env, ['prune', '--older-than-days=-1']);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toMatch(/^error \[invalid_argument\]: .*days must be a number ≥ 0/);
    expect(await jobs()).toBe(3);
  });
});
