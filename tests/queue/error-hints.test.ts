// The queue's messages name no surface (no tool, flag or command): MCP, REST and the CLI all show
// them. What fixes the error travels as a hint, which each surface words its own way.
import { describe, expect, it } from 'vitest';
import { QueueError } from '../../src/core/errors.js';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { startJob } from '../helpers/jobs.js';

const SURFACE_WORDS = /queue_|queue\.|agent-queue|--[a-z]|AGENT_QUEUE_|CLI|MCP/;

async function refusal(p: Promise<unknown>): Promise<QueueError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueueError);
  return err as QueueError;
}

describe.each(backendsForSuite())('error hints ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  it('carry the fix as a hint and keep the message free of surface words', async () => {
    const missing = await refusal(q.service.get({ jobId: '01900000-0000-7000-8000-000000000000' }));
    const scoped = await refusal(
      q.service.claim({ workerId: 'w', types: ['deploy'] }, { allowedTypes: ['build'] }),
    );
    await startJob(q.service);
    await q.service.control.pause({ mode: 'drain', reason: 'upgrade' });
    const running = await refusal(q.service.control.resume({ reason: 'done' }));

    expect([missing, scoped, running].map((e) => [e.code, e.hint])).toEqual([
      ['not_found', 'list_jobs'],
      ['forbidden', 'claim_scope'],
      ['job_state_conflict', 'force_resume'],
    ]);
    for (const e of [missing, scoped, running]) expect(e.message).not.toMatch(SURFACE_WORDS);
  });
});
