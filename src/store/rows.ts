// Row <-> record mapping through the dialect codec. Job columns come from the field table
// (job-fields.ts); events, pause state and its audit are mapped here by hand.
import type { Codec, Row } from './codec.js';
import { JOB_FIELD_LIST, JOB_FIELDS, type Kind } from './job-fields.js';
import type { JobRecord, JobPatch, PauseRecord, QueuePauseRecord } from './store.js';
import type { ControlEvent, EventLevel, JobEvent, PauseMode } from '../core/types.js';

const timeOrNull = (c: Codec, v: unknown): Date | null =>
  v === null || v === undefined ? null : c.timeOut(v);

// Decoding a job row runs on every claim, heartbeat and complete. A loop over the field table
// builds the record key by key through a dispatch per field (about 1.5 µs a row); the same table
// compiled once into one object literal of fixed shape costs a few dozen ns. The text compiled is
// made only of our own column and field names.
const DECODE: Record<Kind, (raw: string) => string> = {
  text: (raw) => `String(${raw})`,
  number: (raw) => `Number(${raw})`,
  time: (raw) => `c.timeOut(${raw})`,
  json: (raw) => `c.jsonOut(${raw})`,
  strings: (raw) => `c.stringsOut(${raw})`,
};

const decodeJob = new Function(
  'c',
  'r',
  `return { ${JOB_FIELD_LIST.map(([name, f]) => {
    const raw = `r[${JSON.stringify(f.column)}]`;
    const value = DECODE[f.kind](raw);
    return `${JSON.stringify(name)}: ${f.nullable ? `${raw} == null ? null : ${value}` : value}`;
  }).join(', ')} };`,
) as (c: Codec, r: Row) => JobRecord;

const encode: Record<Kind, (c: Codec, value: never) => unknown> = {
  text: (_c, v) => v,
  number: (_c, v) => v,
  time: (c, v: Date) => c.time(v),
  json: (c, v) => c.json(v),
  strings: (c, v: readonly string[]) => c.strings(v),
};

export function jobFromRow(c: Codec, r: Row): JobRecord {
  return decodeJob(c, r);
}

/** Encodes a full record or a patch into column values (fields left undefined are left out). */
export function jobToRow(c: Codec, rec: Partial<JobRecord> | JobPatch): Row {
  const row: Row = {};
  for (const [name, value] of Object.entries(rec) as [keyof JobRecord, unknown][]) {
    if (value === undefined) continue;
    const f = JOB_FIELDS[name];
    row[f.column] = value === null ? null : encode[f.kind](c, value as never);
  }
  return row;
}

/** The pause-state columns a claim reads in the same statement, prefixed to avoid clashing with job columns. */
export const PAUSE_PREFIX = 'p__';
export const PAUSE_COLUMNS = [
  'paused',
  'mode',
  'reason',
  'requested_by',
  'requested_at',
  'updated_at',
  'version',
] as const;

/** The same columns of the claimed queue's own pause row (absent when the queue was never paused). */
export const QUEUE_PAUSE_PREFIX = 'q__';

export function unprefixPause(row: Row, prefix = PAUSE_PREFIX): Row | undefined {
  if (row[`${prefix}version`] === undefined || row[`${prefix}version`] === null) return undefined;
  return Object.fromEntries(PAUSE_COLUMNS.map((c) => [c, row[`${prefix}${c}`]]));
}

export function eventFromRow(c: Codec, r: Row): JobEvent {
  return {
    id: Number(r.id),
    jobId: String(r.job_id),
    at: c.timeOut(r.at).toISOString(),
    level: r.level as EventLevel,
    kind: r.kind as string,
    attempt: Number(r.attempt),
    message: (r.message as string | null) ?? null,
    data: r.data === null || r.data === undefined ? null : c.jsonOut(r.data),
  };
}

export function pauseFromRow(c: Codec, r: Row): PauseRecord {
  return {
    paused: c.boolOut(r.paused),
    mode: (r.mode as PauseMode | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    requestedBy: (r.requested_by as string | null) ?? null,
    requestedAt: timeOrNull(c, r.requested_at),
    updatedAt: c.timeOut(r.updated_at),
    version: Number(r.version),
  };
}

export function queuePauseFromRow(c: Codec, r: Row, queue: string): QueuePauseRecord {
  return { ...pauseFromRow(c, r), queue };
}

export function controlEventFromRow(c: Codec, r: Row): ControlEvent {
  return {
    id: Number(r.id),
    // Only a queue's rows name one, so a fleet-only audit reads as it did before named queues.
    ...(r.queue === null || r.queue === undefined ? {} : { queue: r.queue as string }),
    action: r.action as 'pause' | 'resume',
    mode: (r.mode as PauseMode | null) ?? null,
    reason: r.reason as string,
    actor: (r.actor as string | null) ?? null,
    at: c.timeOut(r.at).toISOString(),
  };
}
