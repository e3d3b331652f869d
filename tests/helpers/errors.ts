// Asserts that a queue call fails with a given stable code and a message that helps fix the call.
import { expect } from 'vitest';
import { QueueError, type ErrorCode } from '../../src/core/errors.js';

export async function expectQueueError(
  call: Promise<unknown>,
  code: ErrorCode,
  mentions?: string | RegExp,
): Promise<QueueError> {
  const err = await call.then(
    (value) => {
      throw new Error(`expected ${code}, but the call succeeded with ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err, String(err)).toBeInstanceOf(QueueError);
  const qe = err as QueueError;
  expect(qe.code, qe.message).toBe(code);
  // A fix-it message is a sentence, not a bare code.
  expect(qe.message.length).toBeGreaterThan(20);
  if (mentions !== undefined) expect(qe.message).toMatch(mentions);
  return qe;
}
