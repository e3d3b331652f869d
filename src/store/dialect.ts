// What differs between PostgreSQL and SQLite, expressed as capabilities the shared store calls.
// Nothing outside this boundary asks "is this Postgres?".
import type {
  Expression,
  Kysely,
  SelectQueryBuilder,
  UpdateQueryBuilder,
  InsertQueryBuilder,
  InsertResult,
  UpdateResult,
} from 'kysely';
import type { Database, JobsTable } from './schema.js';
import { JOB_COLUMNS } from './rows.js';
import type { NewEvent, Signal } from './store.js';

export interface Codec {
  time(d: Date): unknown;
  timeOut(raw: unknown): Date;
  json(v: unknown): unknown;
  jsonOut(raw: unknown): unknown;
  strings(v: readonly string[]): unknown;
  stringsOut(raw: unknown): string[];
  bool(v: boolean): unknown;
  boolOut(raw: unknown): boolean;
}

export type Db = Kysely<Database>;
export type JobUpdate = UpdateQueryBuilder<Database, 'agent_jobs', 'agent_jobs', UpdateResult>;
export type JobInsert = InsertQueryBuilder<Database, 'agent_jobs', InsertResult>;

export type Row = Record<string, unknown>;

/** RETURNING every job column, by name. (Inserts and updates share the shape; one cast, here.) */
export const returningJob = (q: JobUpdate | JobInsert) => (q as JobUpdate).returning(JOB_COLUMNS);

export interface WriteJob {
  query: JobUpdate | JobInsert;
  event?: EventRow | undefined;
  notify?: Signal | undefined;
  withPause?: boolean;
}

export interface ClaimPick {
  now: unknown;
  types: readonly string[] | undefined;
  capabilities: readonly string[];
  unlessPaused: boolean;
  portable: () => SelectQueryBuilder<Database, 'agent_jobs', { id: string }>;
}

export interface EventRow {
  at: unknown;
  event: NewEvent;
}

export interface Dialect {
  readonly name: 'postgres' | 'sqlite';
  readonly codec: Codec;
  readonly db: Db;
  /** Runs fn in one write transaction (SQLite: BEGIN IMMEDIATE, serialised per process). */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Restricts a queued-job query to jobs whose required capabilities are all in `capabilities`. */
  capabilitiesWithin<S>(
    qb: SelectQueryBuilder<Database, 'agent_jobs', S>,
    capabilities: readonly string[],
  ): SelectQueryBuilder<Database, 'agent_jobs', S>;
  /**
   * The id of the queued job a claim takes: the best match by priority DESC, created_at, id.
   * `portable` is that query written once in Kysely; a dialect may use it or its own equivalent.
   */
  claimPick(p: ClaimPick): Expression<string>;
  /**
   * true when the pick reads a newer snapshot than the claim statement around it (a volatile
   * PL/pgSQL function does): it can then lock a row the statement cannot see, and the claim must
   * be tried again rather than answer "no job".
   */
  readonly pickUsesOwnSnapshot: boolean;
  /**
   * Runs a job UPDATE or INSERT and, if it touched a row, atomically appends its event and sends its
   * wake-up (delivered on commit). With `withPause` it also returns the pause-state row read in the
   * same snapshot, so a claim answers with the state it was guarded by, in one round trip.
   */
  writeJob(p: WriteJob): Promise<{ row: Row | undefined; pause: Row | undefined }>;
  /** Holds the dialect's migration lock around fn (Postgres advisory lock; SQLite write lock per step). */
  withMigrationLock<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Runs one migration step atomically; returns false when another process had already applied it. */
  applyMigration(db: Db, step: { version: number; name: string; sql: string }): Promise<boolean>;
  dbNow(): Promise<Date>;
  notify(signal: Signal): Promise<void>;
  subscribe(handler: (signal: Signal) => void): Promise<() => void>;
  close(): Promise<void>;
}

export type { JobsTable };
