// Row <-> record mapping through the dialect codec. The one place that knows column names.
import type { Codec } from './dialect.js';
import type { JobRecord, JobPatch, PauseRecord } from './store.js';
import type { ControlEvent, EventLevel, JobEvent, JobStatus, PauseMode } from '../queue/types.js';

type Row = Record<string, unknown>;

const timeOrNull = (c: Codec, v: unknown): Date | null =>
  v === null || v === undefined ? null : c.timeOut(v);

export function jobFromRow(c: Codec, r: Row): JobRecord {
  return {
    id: String(r.id),
    type: r.type as string,
    status: r.status as JobStatus,
    priority: Number(r.priority),
    payload: c.jsonOut(r.payload) as Record<string, unknown>,
    requiredCapabilities: c.stringsOut(r.required_capabilities),
    dedupeKey: (r.dedupe_key as string | null) ?? null,
    runAt: c.timeOut(r.run_at),
    attempt: Number(r.attempt),
    maxAttempts: Number(r.max_attempts),
    claimedBy: (r.claimed_by as string | null) ?? null,
    leaseToken: (r.lease_token as string | null) ?? null,
    leaseExpiresAt: timeOrNull(c, r.lease_expires_at),
    leaseSeconds: r.lease_seconds === null || r.lease_seconds === undefined ? null : Number(r.lease_seconds),
    progress: r.progress === null || r.progress === undefined ? null : Number(r.progress),
    progressMessage: (r.progress_message as string | null) ?? null,
    lastHeartbeatEventAt: timeOrNull(c, r.last_heartbeat_event_at),
    cancelRequestedAt: timeOrNull(c, r.cancel_requested_at),
    cancelRequestedBy: (r.cancel_requested_by as string | null) ?? null,
    cancelReason: (r.cancel_reason as string | null) ?? null,
    result: r.result === null || r.result === undefined ? null : c.jsonOut(r.result),
    resultSummary: (r.result_summary as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: c.timeOut(r.created_at),
    updatedAt: c.timeOut(r.updated_at),
    startedAt: timeOrNull(c, r.started_at),
    finishedAt: timeOrNull(c, r.finished_at),
  };
}

const COLUMN: Record<keyof JobRecord, string> = {
  id: 'id',
  type: 'type',
  status: 'status',
  priority: 'priority',
  payload: 'payload',
  requiredCapabilities: 'required_capabilities',
  dedupeKey: 'dedupe_key',
  runAt: 'run_at',
  attempt: 'attempt',
  maxAttempts: 'max_attempts',
  claimedBy: 'claimed_by',
  leaseToken: 'lease_token',
  leaseExpiresAt: 'lease_expires_at',
  leaseSeconds: 'lease_seconds',
  progress: 'progress',
  progressMessage: 'progress_message',
  lastHeartbeatEventAt: 'last_heartbeat_event_at',
  cancelRequestedAt: 'cancel_requested_at',
  cancelRequestedBy: 'cancel_requested_by',
  cancelReason: 'cancel_reason',
  result: 'result',
  resultSummary: 'result_summary',
  errorMessage: 'error_message',
  createdBy: 'created_by',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

/** Every job column, listed (not `*`) so prepared statements keep their result shape across migrations. */
export const JOB_COLUMNS = Object.values(COLUMN) as (keyof import('./schema.js').JobsTable)[];

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

export function unprefixPause(row: Row): Row | undefined {
  if (row[`${PAUSE_PREFIX}version`] === undefined) return undefined;
  return Object.fromEntries(PAUSE_COLUMNS.map((c) => [c, row[`${PAUSE_PREFIX}${c}`]]));
}

const JSON_FIELDS = new Set<keyof JobRecord>(['payload', 'result']);

/** Encodes a full record or a patch into column values. */
export function jobToRow(c: Codec, rec: Partial<JobRecord> | JobPatch): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(rec) as [keyof JobRecord, unknown][]) {
    if (value === undefined) continue;
    const col = COLUMN[key];
    if (value === null) row[col] = null;
    else if (value instanceof Date) row[col] = c.time(value);
    else if (key === 'requiredCapabilities') row[col] = c.strings(value as string[]);
    else if (JSON_FIELDS.has(key)) row[col] = c.json(value);
    else row[col] = value;
  }
  return row;
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

export function controlEventFromRow(c: Codec, r: Row): ControlEvent {
  return {
    id: Number(r.id),
    action: r.action as 'pause' | 'resume',
    mode: (r.mode as PauseMode | null) ?? null,
    reason: r.reason as string,
    actor: (r.actor as string | null) ?? null,
    at: c.timeOut(r.at).toISOString(),
  };
}
