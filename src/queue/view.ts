// Record -> public shape. The lease token never leaves through toJob; only toLease gives it, to its holder.
import type { JobRecord, PauseRecord, QueuePauseRecord } from '../store/store.js';
import type { ClaimAnswer, Job, Lease, SystemBlock } from '../core/types.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './settings.js';
import { PRIVATE_JOB_FIELDS } from '../core/job.js';
import { JOB_FIELD_LIST } from '../store/job-fields.js';
import { QueueError } from '../core/errors.js';
import { isUuid } from '../core/ids.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

// Every answer carrying a job runs this. Compiled once from the store's field table into one object
// literal of fixed shape (a loop building it key by key costs several times more per answer). Only
// our own field names are compiled.
const toJobCompiled = new Function(
  'r',
  `return { ${JOB_FIELD_LIST.filter(([name]) => !(PRIVATE_JOB_FIELDS as readonly string[]).includes(name))
    .map(([name, f]) => {
      const v = `r[${JSON.stringify(name)}]`;
      const value =
        f.kind !== 'time'
          ? v
          : f.nullable
            ? `${v} === null ? null : ${v}.toISOString()`
            : `${v}.toISOString()`;
      return `${JSON.stringify(name)}: ${value}`;
    })
    .join(', ')} };`,
) as (r: JobRecord) => Job;

/** Every public field of the record, dates as ISO strings; the private ones (the lease token) never. */
export function toJob(r: JobRecord): Job {
  return toJobCompiled(r);
}

export function toLease(r: JobRecord, now: Date): Lease {
  const expires = r.leaseExpiresAt!;
  return {
    token: r.leaseToken!,
    expiresAt: expires.toISOString(),
    seconds: Math.max(0, Math.round((expires.getTime() - now.getTime()) / 1000)),
  };
}

/**
 * The pause that applies to a claimer or holder of a queue with this own pause (null: never
 * paused; absent: the fleet only): the fleet's
 * when it is paused, else the queue's when that is, else the fleet's (nothing paused). `version`
 * is the sum of both versions, so it grows with a change of either and never repeats.
 */
export function toSystem(fleet: PauseRecord, own?: QueuePauseRecord | null): SystemBlock {
  const version = fleet.version + (own?.version ?? 0);
  if (!fleet.paused && own?.paused) return block(own, version, { scope: 'queue', queue: own.queue });
  return block(fleet, version, { scope: 'fleet' });
}

/** One pause as a block of its own (status shows both): its own version, not the sum. */
export function pauseBlock(p: PauseRecord, queue?: string): SystemBlock {
  return block(p, p.version, queue === undefined ? { scope: 'fleet' } : { scope: 'queue', queue });
}

function block(p: PauseRecord, version: number, scope: Pick<SystemBlock, 'scope' | 'queue'>): SystemBlock {
  return {
    workersPaused: p.paused,
    ...scope,
    mode: p.mode,
    reason: p.reason,
    version,
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

/** A job without its payload: for answers to whoever sent that payload (wait, submit, a task). */
export const withoutPayload = ({ payload: _payload, ...job }: Job): Omit<Job, 'payload'> => job;

/**
 * A claim that took nothing: `wait`, and when to ask again (sooner when the queue is empty than
 * while paused). One rule for the service and for a remote client, which has no server settings
 * of its own and answers with the defaults.
 */
export function waitClaimAnswer(
  system: SystemBlock,
  settings: Pick<QueueSettings, 'pausedRetryAfterSeconds' | 'emptyRetryAfterSeconds'> = DEFAULT_SETTINGS,
): ClaimAnswer {
  const retryAfterSeconds = system.workersPaused
    ? settings.pausedRetryAfterSeconds
    : settings.emptyRetryAfterSeconds;
  return { job: null, lease: null, system, action: 'wait', retryAfterSeconds };
}
