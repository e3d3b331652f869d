// Data is stored and returned exactly as sent, or refused with invalid_argument naming the field,
// identically on both backends: lone surrogates, NUL, an own "__proto__" key, JSON nested too deep,
// and error messages that never repeat megabytes of the caller's input.
import { describe, expect, it } from 'vitest';
import { backendsForSuite, type TestQueue, useTestQueue } from '../helpers/backends.js';
import { expectQueueError } from '../helpers/errors.js';
import { startJob } from '../helpers/jobs.js';
import { snapshotTables } from '../helpers/tables.js';
import type { QueueService } from '../../src/queue/service.js';

// Wrong inputs are the point of these calls, so they are cast.
const raw = (v: unknown) => v as never;
const LONE = '\uD800';

/** n nested objects: nest(1) is {}, nest(2) is {"a":{}}. Built by a loop, as deep as asked. */
function nest(n: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < n; i++) v = { a: v };
  return v;
}

/** JSON with object keys sorted: PostgreSQL's jsonb keeps its own key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

describe.each(backendsForSuite())('input fidelity ($name)', (backend) => {
  let q: TestQueue;
  useTestQueue(backend, (opened) => (q = opened));

  /** Each call must fail with invalid_argument naming `field`, and no table may change. */
  async function refusedWithoutWriting(
    cases: [field: string, call: (s: QueueService) => Promise<unknown>][],
    mentions: RegExp,
  ): Promise<void> {
    const before = await snapshotTables(q.db);
    for (const [field, run] of cases) {
      const err = await expectQueueError(run(q.service), 'invalid_argument', mentions).catch((e: Error) => {
        throw new Error(`${field}: ${e.message}`);
      });
      expect(err.message, field).toContain(`arguments: ${field}`);
      // The message itself is well-formed: it travels as JSON to a model.
      expect(err.message.isWellFormed(), field).toBe(true);
    }
    expect(await snapshotTables(q.db)).toEqual(before);
  }

  it('refuses a lone surrogate in any text or JSON value or key, naming the field, and writes nothing', async () => {
    const { job, token } = await startJob(q.service, { type: 'held' });
    const hold = { jobId: job.id, leaseToken: token };
    await refusedWithoutWriting(
      [
        ['payload.s', (s) => s.enqueue({ type: 't', payload: { s: `a${LONE}b` } })],
        ['payload.a.list.1', (s) => s.enqueue({ type: 't', payload: { a: { list: ['ok', '\uDC00'] } } })],
        ['payload.k\\uD800', (s) => s.enqueue({ type: 't', payload: { [`k${LONE}`]: 1 } })],
        ['dedupeKey', (s) => s.enqueue({ type: 't', dedupeKey: `key${LONE}` })],
        ['type', (s) => s.enqueue({ type: `t${LONE}` })],
        ['message', (s) => s.heartbeat({ ...hold, message: `step ${LONE}` })],
        ['error', (s) => s.fail({ ...hold, error: `boom ${LONE}` })],
        ['result.out', (s) => s.complete({ ...hold, result: { out: LONE } })],
        ['resultSummary', (s) => s.complete({ ...hold, resultSummary: `done ${LONE}` })],
        ['reason', (s) => s.cancel({ jobId: job.id, reason: `why ${LONE}` })],
        ['workerId', (s) => s.claim({ workerId: `w${LONE}` })],
      ],
      /not well-formed Unicode/,
    );
    // A well-formed pair (an emoji) is ordinary text and comes back unchanged.
    const { job: emoji } = await q.service.enqueue({ type: 't', payload: { s: '😀' }, dedupeKey: 'k😀' });
    expect((await q.service.get({ jobId: emoji.id })).job).toMatchObject({
      payload: { s: '😀' },
      dedupeKey: 'k😀',
    });
  });

  it('refuses NUL in values and keys, naming the field', async () => {
    await refusedWithoutWriting(
      [
        ['payload.s', (s) => s.enqueue({ type: 't', payload: { s: 'a\u0000b' } })],
        ['payload.a\\u0000', (s) => s.enqueue({ type: 't', payload: { 'a\u0000': 1 } })],
      ],
      /NUL/,
    );
  });

  it('keeps an own "__proto__" key in payload and result, as JSON.parse makes it', async () => {
    const payload = JSON.parse('{"__proto__":{"x":1},"a":1,"n":{"__proto__":[2]}}') as Record<
      string,
      unknown
    >;
    const result = JSON.parse('{"__proto__":"r","ok":true}') as unknown;
    const { job } = await q.service.enqueue({ type: 'proto', payload });
    const claimed = await q.service.claim({ workerId: 'w' });
    await q.service.complete({ jobId: job.id, leaseToken: claimed.lease!.token, result });
    const read = (await q.service.get({ jobId: job.id })).job;
    const listed = (await q.service.list({ full: true })).jobs[0]!;
    for (const [where, p] of [
      ['enqueue', job.payload],
      ['claim', claimed.job!.payload],
      ['get', read.payload],
      ['list', listed.payload],
    ] as const) {
      expect(canonical(p), where).toBe(canonical(payload));
      expect(Object.hasOwn(p, '__proto__'), where).toBe(true);
      expect(Object.getPrototypeOf(p), where).toBe(Object.prototype);
    }
    expect(canonical(read.result)).toBe('{"__proto__":"r","ok":true}');
    expect(canonical(listed.result)).toBe('{"__proto__":"r","ok":true}');
  });

  it('refuses JSON nested deeper than 64 levels, however deep, and accepts 64', async () => {
    const { job: ok } = await q.service.enqueue({ type: 't', payload: nest(64) });
    expect(canonical((await q.service.get({ jobId: ok.id })).job.payload)).toBe(canonical(nest(64)));
    const { job, token } = await startJob(q.service, { type: 'held' });
    let deepArray: unknown = [];
    for (let i = 0; i < 5_000; i++) deepArray = [deepArray];
    await refusedWithoutWriting(
      [
        ['payload', (s) => s.enqueue({ type: 't', payload: nest(65) })],
        ['payload', (s) => s.enqueue({ type: 't', payload: nest(5_000) })],
        ['result', (s) => s.complete({ jobId: job.id, leaseToken: token, result: deepArray })],
      ],
      /is nested deeper than 64 levels/,
    );
  });

  it('caps what an error message repeats of the input at 80 characters', async () => {
    const huge = 'k'.repeat(5 * 1024 * 1024);
    const unknown = await expectQueueError(
      q.service.enqueue(raw({ type: 't', [huge]: 1 })),
      'invalid_argument',
      /unknown field/,
    );
    expect(unknown.message).toContain(`"${'k'.repeat(80)}… (${huge.length} characters)"`);
    expect(unknown.message.length).toBeLessThan(300);
    expect(JSON.stringify(unknown.details).length).toBeLessThan(600);

    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`extra${i}`, i]));
    const listed = await expectQueueError(q.service.enqueue(raw({ type: 't', ...many })), 'invalid_argument');
    expect(listed.message).toMatch(/"extra0", .*"extra4", and 95 more: remove them/);

    const deepKey = await expectQueueError(
      q.service.enqueue({ type: 't', payload: { [`${huge}${LONE}`]: 1 } }),
      'invalid_argument',
    );
    expect(deepKey.message).toContain(`payload.${'k'.repeat(72)}… (${huge.length + 9} characters)`);
    expect(deepKey.message.length).toBeLessThan(400);
  });
});
