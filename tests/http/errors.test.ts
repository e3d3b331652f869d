// HTTP's own mapping of the stable codes (SPEC §11): every code has its status, the body is
// `{error: {code, message, details?}}`, and anything unknown is a 500 `internal`, never a leak.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, QueueError } from '../../src/core/errors.js';
import { httpError } from '../../src/http/errors.js';

describe('HTTP error mapping', () => {
  it('gives every stable code a status among those the spec allows', () => {
    const statuses = Object.fromEntries(
      ERROR_CODES.map((code) => [code, httpError(new QueueError(code, 'm')).status]),
    );
    expect(statuses).toEqual({
      not_found: 404,
      invalid_argument: 400,
      lease_lost: 409,
      job_state_conflict: 409,
      workers_paused: 409,
      unauthorized: 401,
      forbidden: 403,
      payload_too_large: 413,
      unavailable: 503,
      internal: 500,
    });
  });

  it('answers the code, message and details, and an unexpected error as internal', () => {
    const conflict = new QueueError('job_state_conflict', 'ended', { details: { status: 'failed' } });
    expect(httpError(conflict).body).toEqual({
      error: { code: 'job_state_conflict', message: 'ended', details: { status: 'failed' } },
    });
    const bug = httpError(new TypeError('x is undefined'));
    expect(bug.status).toBe(500);
    expect(bug.body.error.code).toBe('internal');
    expect(bug.body.error.message).toMatch(/unexpected error \(x is undefined\).*bug in agent-queue/);
  });
});
