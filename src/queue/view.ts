// Record -> public shape. The lease token never leaves through toJob; only toLease gives it, to its holder.
import type { JobRecord, PauseRecord } from '../store/store.js';
import type { Job, Lease, SystemBlock } from './types.js';
import { QueueError } from './errors.js';
import { isUuid } from './ids.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toJob(r: JobRecord): Job {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    priority: r.priority,
    payload: r.payload,
    requiredCapabilities: r.requiredCapabilities,
    dedupeKey: r.dedupeKey,
    runAt: r.runAt.toISOString(),
    attempt: r.attempt,
    maxAttempts: r.maxAttempts,
    claimedBy: r.claimedBy,
    leaseExpiresAt: iso(r.leaseExpiresAt),
    progress: r.progress,
    progressMessage: r.progressMessage,
    cancelRequestedAt: iso(r.cancelRequestedAt),
    cancelRequestedBy: r.cancelRequestedBy,
    cancelReason: r.cancelReason,
    result: r.result,
    resultSummary: r.resultSummary,
    errorMessage: r.errorMessage,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export function toLease(r: JobRecord, now: Date): Lease {
  const expires = r.leaseExpiresAt!;
  return {
    token: r.leaseToken!,
    expiresAt: expires.toISOString(),
    seconds: Math.max(0, Math.round((expires.getTime() - now.getTime()) / 1000)),
  };
}

export function toSystem(p: PauseRecord): SystemBlock {
  return {
    workersPaused: p.paused,
    mode: p.mode,
    reason: p.reason,
    version: p.version,
    requestedBy: p.requestedBy,
    requestedAt: iso(p.requestedAt),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** Keyset cursor for list: the id of the last row of a page (ids sort by creation), opaque to callers. */
export function encodeCursor(r: JobRecord): string {
  return Buffer.from(JSON.stringify([r.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // The id must be a UUID: on PostgreSQL anything else would fail the query instead of this check.
    if (Array.isArray(parsed) && parsed.length === 1 && typeof parsed[0] === 'string' && isUuid(parsed[0])) {
      return { id: parsed[0] };
    }
  } catch {
    // fall through to the error below
  }
  throw new QueueError(
    'invalid_argument',
    'Invalid list arguments: cursor is not one this server issued. Pass `nextCursor` from the previous page unchanged, or omit it for the first page.',
  );
}
