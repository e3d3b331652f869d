// The job's fields, listed once: record field -> column name and kind. The column list, the row
// mapping both ways (rows.ts) and the Kysely table type (schema.ts) are derived from this table.
import type { JobRecord } from './store.js';

/** How a value is stored: as is (text, number) or through the dialect's codec (time, json, strings). */
export type Kind = 'text' | 'number' | 'time' | 'json' | 'strings';

/** The kind and nullability a field must have, read off its type in JobRecord. */
type KindOf<T> = T extends Date
  ? 'time'
  : T extends number
    ? 'number'
    : T extends string
      ? 'text'
      : T extends readonly string[]
        ? 'strings'
        : 'json';
interface FieldOf<T> {
  column: string;
  kind: KindOf<NonNullable<T>>;
  nullable: null extends T ? true : false;
}

const field = <const C extends string, const K extends Kind>(column: C, kind: K) =>
  ({ column, kind, nullable: false }) as const;
const nullable = <const C extends string, const K extends Kind>(column: C, kind: K) =>
  ({ column, kind, nullable: true }) as const;

// Typed against JobRecord: a field added there and not here (or with another kind or
// nullability) is a type error.
export const JOB_FIELDS = {
  id: field('id', 'text'),
  type: field('type', 'text'),
  status: field('status', 'text'),
  priority: field('priority', 'number'),
  payload: field('payload', 'json'),
  requiredCapabilities: field('required_capabilities', 'strings'),
  dedupeKey: nullable('dedupe_key', 'text'),
  runAt: field('run_at', 'time'),
  attempt: field('attempt', 'number'),
  maxAttempts: field('max_attempts', 'number'),
  claimedBy: nullable('claimed_by', 'text'),
  leaseToken: nullable('lease_token', 'text'),
  leaseExpiresAt: nullable('lease_expires_at', 'time'),
  leaseSeconds: nullable('lease_seconds', 'number'),
  progress: nullable('progress', 'number'),
  progressMessage: nullable('progress_message', 'text'),
  lastHeartbeatEventAt: nullable('last_heartbeat_event_at', 'time'),
  cancelRequestedAt: nullable('cancel_requested_at', 'time'),
  cancelRequestedBy: nullable('cancel_requested_by', 'text'),
  cancelReason: nullable('cancel_reason', 'text'),
  result: nullable('result', 'json'),
  resultSummary: nullable('result_summary', 'text'),
  errorMessage: nullable('error_message', 'text'),
  createdBy: nullable('created_by', 'text'),
  createdAt: field('created_at', 'time'),
  updatedAt: field('updated_at', 'time'),
  startedAt: nullable('started_at', 'time'),
  finishedAt: nullable('finished_at', 'time'),
  taskId: nullable('task_id', 'text'),
  queue: field('queue', 'text'),
  concurrencyKey: nullable('concurrency_key', 'text'),
  pendingDependencies: field('pending_dependencies', 'number'),
  dependents: field('dependents', 'number'),
  awaiters: field('awaiters', 'number'),
} as const satisfies { [K in keyof JobRecord]: FieldOf<JobRecord[K]> };

type Fields = typeof JOB_FIELDS;
export type Field = Fields[keyof Fields];

/** Column types for Kysely: text and numbers as themselves; codec-encoded values differ by dialect. */
type ColumnOf<F extends Field> = F['kind'] extends 'text'
  ? string | (F['nullable'] extends true ? null : never)
  : F['kind'] extends 'number'
    ? number | (F['nullable'] extends true ? null : never)
    : unknown;

/** The agent_jobs table as Kysely sees it, keyed by column name. */
export type JobsTable = { [K in keyof Fields as Fields[K]['column']]: ColumnOf<Fields[K]> };

/** The table as [field, spec] pairs, in record order. */
export const JOB_FIELD_LIST = Object.entries(JOB_FIELDS) as [keyof JobRecord, Field][];

/** Every job column, listed (not `*`) so prepared statements keep their result shape across migrations. */
export const JOB_COLUMNS = JOB_FIELD_LIST.map(([, f]) => f.column) as (keyof JobsTable)[];
