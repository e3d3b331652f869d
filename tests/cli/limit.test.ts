// `agent-queue limit set|list|remove` and `enqueue --concurrency-key` as real processes on both
// backends: a limit set on the command line is the one claims obey, list shows every key in use,
// remove brings the default back, and bad values fail before or at the service with a clear line.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, runCli } from '../helpers/cli.js';
import type { LimitChange, LimitList } from '../../src/queue/limits.js';
import type { Job } from '../../src/core/types.js';

describe.each(backendsForSuite())('cli limit ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });

  it('enqueues with a concurrency key and sets, lists and removes its limit', async () => {
    const { job } = await cliJson<{ job: Job }>(env, [
      '--json',
      'enqueue',
      'deploy',
      '--concurrency-key',
      'repo:acme/api',
    ]);
    expect(job.concurrencyKey).toBe('repo:acme/api');
    await q.service.enqueue({ type: 'deploy', concurrencyKey: 'repo:acme/api' });
    expect((await runCli(env, ['get', job.id])).stdout).toMatch(/concurrency key\s+repo:acme\/api/);

    const set = await cliJson<LimitChange>(env, [
      '--json',
      'limit',
      'set',
      'repo:acme/api',
      '2',
      '--actor',
      'ops',
    ]);
    expect(set).toMatchObject({ limit: { key: 'repo:acme/api', max: 2, updatedBy: 'ops' }, previousMax: 1 });
    // The claim obeys it: both jobs of the key run at once.
    expect((await q.service.claim({ workerId: 'w' })).job).not.toBeNull();
    expect((await q.service.claim({ workerId: 'w' })).job).not.toBeNull();

    const human = await runCli(env, ['limit', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^KEY\s+MAX\s+RUNNING\s+QUEUED/);
    expect(human.stdout).toMatch(/repo:acme\/api\s+2\s+2\s+0\s+\S+ \S+\s+ops/);
    const list = await cliJson<LimitList>(env, ['--json', 'limit', 'list']);
    expect(list).toMatchObject({
      defaultMax: 1,
      keys: [{ key: 'repo:acme/api', max: 2, running: 2, queued: 0 }],
    });

    const removed = await runCli(env, ['limit', 'remove', 'repo:acme/api']);
    expect(removed).toMatchObject({ code: 0 });
    expect(removed.stdout).toContain(
      'removed the limit of "repo:acme/api" (was 2): the default of 1 applies',
    );
    expect((await runCli(env, ['limit', 'remove', 'repo:acme/api'])).stdout).toContain(
      'had no limit of its own',
    );
    expect((await q.service.limits.list()).keys).toMatchObject([{ key: 'repo:acme/api', isDefault: true }]);
  });

  it('holds a key with 0 and says so', async () => {
    const r = await runCli(env, ['limit', 'set', 'deploys', '0']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('none of its jobs start');
    await q.service.enqueue({ type: 'deploy', concurrencyKey: 'deploys' });
    expect((await q.service.claim({ workerId: 'w' })).job).toBeNull();
    expect((await runCli(env, ['limit', 'list'])).stdout).toMatch(/deploys\s+0 \(held\)\s+0\s+1/);
  });

  it('refuses a limit that is not a whole number from 0 to 10000', async () => {
    const word = await runCli(env, ['limit', 'set', 'k', 'two']);
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('expected a whole number');
    const big = await runCli(env, ['limit', 'set', 'k', '10001']);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('error [invalid_argument]');
    expect(big.stderr).toContain('must be at most 10000');
    expect((await q.service.limits.list()).keys).toEqual([]);
  });
});
