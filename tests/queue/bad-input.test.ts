// Bad input (SPEC §6): every invalid call answers its stable code with a message that names what to
// fix, and leaves every queue table exactly as it was.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { backendsForSuite, openTestQueue, type TestQueue } from '../helpers/backends.js';
import { FakeClock } from '../helpers/clock.js';
import { expectQueueError } from '../helpers/errors.js';
import { startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import type { ErrorCode } from '../../src/core/errors.js';
import type { QueueService } from '../../src/queue/service.js';

interface Case {
  name: string;
  call: (
    s: QueueService,
    ids: { queued: string; running: string; token: string; done: string },
  ) => Promise<unknown>;
  code: ErrorCode;
  mentions: RegExp;
}

// Wrong types are the point of these calls, so the inputs are cast.
const raw = (v: unknown) => v as never;
const uuid = randomUUID();
const INVALID = 'invalid_argument';
const bad = (name: string, code: ErrorCode, mentions: RegExp, call: Case['call']): Case => ({
  name,
  code,
  mentions,
  call,
});

const CASES: Case[] = [
  // enqueue
  bad('enqueue without type', INVALID, /type/, (s) => s.enqueue(raw({ payload: {} }))),
  bad('enqueue with a numeric type', INVALID, /type/, (s) => s.enqueue(raw({ type: 5 }))),
  bad('enqueue with an uppercase type', INVALID, /type.*lowercase/, (s) =>
    s.enqueue({ type: 'Code.Review' }),
  ),
  bad('enqueue with a type with spaces', INVALID, /type/, (s) => s.enqueue({ type: 'code review' })),
  bad('enqueue with an empty type', INVALID, /type/, (s) => s.enqueue({ type: '' })),
  bad('enqueue with a 65-char type', INVALID, /type/, (s) => s.enqueue({ type: 'a'.repeat(65) })),
  bad('enqueue with a string payload', INVALID, /payload/, (s) =>
    s.enqueue(raw({ type: 't', payload: 'x' })),
  ),
  bad('enqueue with an array payload', INVALID, /payload/, (s) =>
    s.enqueue(raw({ type: 't', payload: [1] })),
  ),
  bad('enqueue with an unknown field', INVALID, /"colour"/, (s) =>
    s.enqueue(raw({ type: 't', colour: 'x' })),
  ),
  bad('enqueue with a fractional priority', INVALID, /priority/, (s) =>
    s.enqueue({ type: 't', priority: 1.5 }),
  ),
  bad(
    'enqueue with a priority string that is not a number',
    INVALID,
    /priority: expected a number such as 5, got "1x"/,
    (s) => s.enqueue(raw({ type: 't', priority: '1x' })),
  ),
  bad(
    'enqueue with a 400-digit priority string (no "received Infinity")',
    INVALID,
    /priority: expected a number such as 5, got a string of 400 characters \(a string is read as a number only when it is one, of at most 30 characters/,
    (s) => s.enqueue(raw({ type: 't', priority: '9'.repeat(400) })),
  ),
  bad(
    'claim with a 31-character waitSeconds string',
    INVALID,
    /waitSeconds: expected a number such as 5, got a string of 31 characters/,
    (s) => s.claim(raw({ workerId: 'w', waitSeconds: `${'0'.repeat(30)}5` })),
  ),
  bad(
    'claim with an empty waitSeconds string',
    INVALID,
    /waitSeconds: expected a number such as 5, got ""/,
    (s) => s.claim(raw({ workerId: 'w', waitSeconds: '' })),
  ),
  bad(
    'claim with a blank waitSeconds string',
    INVALID,
    /waitSeconds: expected a number such as 5, got " "/,
    (s) => s.claim(raw({ workerId: 'w', waitSeconds: ' ' })),
  ),
  bad(
    'enqueue with a runAt without offset or Z',
    INVALID,
    /runAt: must be an ISO-8601 date and time with a UTC offset or Z/,
    (s) => s.enqueue({ type: 't', runAt: '2026-11-23T10:00:00' }),
  ),
  bad('enqueue with maxAttempts 0', INVALID, /maxAttempts/, (s) => s.enqueue({ type: 't', maxAttempts: 0 })),
  bad('enqueue with a negative delay', INVALID, /delaySeconds/, (s) =>
    s.enqueue({ type: 't', delaySeconds: -1 }),
  ),
  bad('enqueue with a non-date runAt', INVALID, /runAt/, (s) => s.enqueue({ type: 't', runAt: 'tomorrow' })),
  bad('enqueue with runAt and delaySeconds', INVALID, /runAt.*delaySeconds/, (s) =>
    s.enqueue({ type: 't', runAt: '2031-01-01T00:00:00Z', delaySeconds: 5 }),
  ),
  bad('enqueue with capabilities as a string', INVALID, /requiredCapabilities/, (s) =>
    s.enqueue(raw({ type: 't', requiredCapabilities: 'gpu' })),
  ),
  bad('enqueue with an empty dedupeKey', INVALID, /dedupeKey/, (s) =>
    s.enqueue({ type: 't', dedupeKey: '' }),
  ),
  bad('enqueue with no arguments', INVALID, /type/, (s) => s.enqueue(raw(undefined))),
  // claim
  bad('claim without workerId', INVALID, /workerId/, (s) => s.claim(raw({}))),
  bad('claim with leaseSeconds 0', INVALID, /leaseSeconds/, (s) =>
    s.claim({ workerId: 'w', leaseSeconds: 0 }),
  ),
  bad('claim with a negative lease', INVALID, /leaseSeconds/, (s) =>
    s.claim({ workerId: 'w', leaseSeconds: -30 }),
  ),
  bad('claim with a fractional lease', INVALID, /leaseSeconds/, (s) =>
    s.claim({ workerId: 'w', leaseSeconds: 1.5 }),
  ),
  bad('claim waiting over 50 s', INVALID, /waitSeconds/, (s) => s.claim({ workerId: 'w', waitSeconds: 51 })),
  bad('claim with types as a string', INVALID, /types/, (s) => s.claim(raw({ workerId: 'w', types: 't' }))),
  bad('claim with an unknown field', INVALID, /"lease"/, (s) => s.claim(raw({ workerId: 'w', lease: 60 }))),
  // heartbeat
  bad('heartbeat with leaseSeconds 0', INVALID, /leaseSeconds/, (s, j) =>
    s.heartbeat({ jobId: j.running, leaseToken: j.token, leaseSeconds: 0 }),
  ),
  bad('heartbeat with progress 101', INVALID, /progress/, (s, j) =>
    s.heartbeat({ jobId: j.running, leaseToken: j.token, progress: 101 }),
  ),
  bad('heartbeat without leaseToken', INVALID, /leaseToken/, (s, j) =>
    s.heartbeat(raw({ jobId: j.running })),
  ),
  bad('heartbeat with an unknown field', INVALID, /"note"/, (s, j) =>
    s.heartbeat(raw({ jobId: j.running, leaseToken: j.token, note: 1 })),
  ),
  bad('heartbeat with a token the job never issued', INVALID, /never issued for this job/, (s, j) =>
    s.heartbeat({ jobId: j.running, leaseToken: 'stale' }),
  ),
  bad("heartbeat on a queued job with another job's token", INVALID, /never issued.*now queued/, (s, j) =>
    s.heartbeat({ jobId: j.queued, leaseToken: j.token }),
  ),
  bad('heartbeat on an unknown job', 'not_found', new RegExp(uuid), (s, j) =>
    s.heartbeat({ jobId: uuid, leaseToken: j.token }),
  ),
  // complete / fail
  bad('complete with a token the job never issued', INVALID, /never issued for this job/, (s, j) =>
    s.complete({ jobId: j.running, leaseToken: 'stale', result: 1 }),
  ),
  bad("complete a finished job with another job's token", INVALID, /now succeeded.*same claim/, (s, j) =>
    s.complete({ jobId: j.done, leaseToken: j.token }),
  ),
  bad('complete an unknown job', 'not_found', new RegExp(uuid), (s, j) =>
    s.complete({ jobId: uuid, leaseToken: j.token }),
  ),
  bad('complete a malformed id', 'not_found', /job-1/, (s, j) =>
    s.complete({ jobId: 'job-1', leaseToken: j.token }),
  ),
  bad('complete with a numeric summary', INVALID, /resultSummary/, (s, j) =>
    s.complete(raw({ jobId: j.running, leaseToken: j.token, resultSummary: 5 })),
  ),
  bad('fail without error', INVALID, /error/, (s, j) =>
    s.fail(raw({ jobId: j.running, leaseToken: j.token })),
  ),
  bad('fail with retryable "no"', INVALID, /retryable/, (s, j) =>
    s.fail(raw({ jobId: j.running, leaseToken: j.token, error: 'x', retryable: 'no' })),
  ),
  bad('fail with a token the job never issued', INVALID, /never issued for this job/, (s, j) =>
    s.fail({ jobId: j.running, leaseToken: 'stale', error: 'x' }),
  ),
  bad('fail an unknown job', 'not_found', new RegExp(uuid), (s, j) =>
    s.fail({ jobId: uuid, leaseToken: j.token, error: 'x' }),
  ),
  // reads and operator calls
  bad('get an unknown job', 'not_found', new RegExp(uuid), (s) => s.get({ jobId: uuid })),
  bad('get with events -1', INVALID, /events/, (s, j) => s.get({ jobId: j.queued, events: -1 })),
  bad('list with an unknown status', INVALID, /status/, (s) => s.list(raw({ status: 'done' }))),
  bad('list with limit 0', INVALID, /limit/, (s) => s.list({ limit: 0 })),
  bad('list with limit 201', INVALID, /limit/, (s) => s.list({ limit: 201 })),
  bad('list with a forged cursor', INVALID, /cursor/, (s) => s.list({ cursor: 'abc' })),
  bad('events after -1', INVALID, /after/, (s, j) => s.events({ jobId: j.queued, after: -1 })),
  bad('events of an unknown job', 'not_found', new RegExp(uuid), (s) => s.events({ jobId: uuid })),
  bad('retry a queued job', 'job_state_conflict', /queued/, (s, j) => s.retry({ jobId: j.queued })),
  bad('cancel a succeeded job', 'job_state_conflict', /succeeded/, (s, j) => s.cancel({ jobId: j.done })),
  bad('cancel an unknown job', 'not_found', new RegExp(uuid), (s) => s.cancel({ jobId: uuid })),
];

describe.each(backendsForSuite())('bad input ($name)', (backend) => {
  const opened: TestQueue[] = [];
  afterEach(async () => {
    for (const q of opened.splice(0)) await q.close();
  });
  const open = async (settings = {}) => {
    const q = await openTestQueue(backend, { clock: new FakeClock(), settings });
    opened.push(q);
    return q;
  };

  beforeAll(() => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it('answers each invalid call with its code and a fix-it message, and writes nothing', async () => {
    const q = await open();
    const queued = (await q.service.enqueue({ type: 'q' })).job.id;
    const done = await startJob(q.service, { type: 'd' });
    await q.service.complete({ jobId: done.job.id, leaseToken: done.token });
    const running = await startJob(q.service, { type: 'r' });
    const ids = { queued, running: running.job.id, token: running.token, done: done.job.id };
    const before = await snapshotTables(q.db);
    expect(before.agent_jobs).toHaveLength(3);
    for (const c of CASES) {
      const err = await expectQueueError(c.call(q.service, ids), c.code, c.mentions).catch((e: Error) => {
        throw new Error(`${c.name}: ${e.message}`);
      });
      expect(err.message, c.name).not.toMatch(/\[object Object\]/);
    }
    expect(await snapshotTables(q.db)).toEqual(before);
  });

  it('reads a decimal string of up to 30 characters as its number', async () => {
    const q = await open();
    const priority = `${'0'.repeat(29)}7` as unknown as number; // 30 characters
    expect((await q.service.enqueue({ type: 't', priority })).job.priority).toBe(7);
  });

  it('refuses a payload over the limit with payload_too_large and writes nothing', async () => {
    const q = await open({ payloadLimitBytes: 1024 });
    const before = await snapshotTables(q.db);
    const err = await expectQueueError(
      q.service.enqueue({ type: 't', payload: { blob: 'x'.repeat(1100) } }),
      'payload_too_large',
      /payload is \d+ bytes; the limit is 1024/,
    );
    expect(err.details).toMatchObject({ limit: 1024 });
    expect(await snapshotTables(q.db)).toEqual(before);
    // Just under the limit is fine.
    const { job } = await q.service.enqueue({ type: 't', payload: { blob: 'x'.repeat(1000) } });
    expect(job.payload).toEqual({ blob: 'x'.repeat(1000) });
  });

  it('counts payload size in UTF-8 bytes, not characters', async () => {
    const q = await open({ payloadLimitBytes: 1024 });
    // 400 three-byte characters: 1,200 bytes in 400 characters.
    await expectQueueError(
      q.service.enqueue({ type: 't', payload: { s: '✓'.repeat(400) } }),
      'payload_too_large',
    );
    expect((await q.service.list()).jobs).toEqual([]);
  });
});
