// `agent-queue wait` as a real process on both backends: it prints the job once it ended (completed
// here by another connection), or the job as it stands at its deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { backendsForSuite, useTestQueue, type TestQueue } from '../helpers/backends.js';
import { CLI_TEST_TIMEOUT_MS, cliJson, startCli, stopStartedClis } from '../helpers/cli.js';
import { startJob } from '../helpers/jobs.js';
import type { WaitAnswer } from '../../src/queue/service.js';

describe.each(backendsForSuite())('cli wait ($name)', { timeout: CLI_TEST_TIMEOUT_MS }, (backend) => {
  let q: TestQueue;
  let env: Record<string, string>;

  useTestQueue(backend, (opened) => {
    q = opened;
    env = opened.db.env;
  });
  afterEach(stopStartedClis);

  it('prints the ended job with its result', async () => {
    const { job, token } = await startJob(q.service, { type: 'a' });
    const cli = startCli(env, ['wait', job.id, '--wait', '40']);
    await q.connect().complete({ jobId: job.id, leaseToken: token, result: { n: 7 } });
    const r = await cli.exited;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      done: true,
      job: { id: job.id, status: 'succeeded', result: { n: 7 } },
    });
  });

  it('prints the job as it stands at the deadline', async () => {
    const { job } = await q.service.enqueue({ type: 'a' });
    const answer = await cliJson<WaitAnswer>(env, ['wait', job.id, '--wait', '0.5']);
    expect(answer).toMatchObject({ done: false, job: { id: job.id, status: 'queued' } });
  });
});
