// What differs between PostgreSQL and SQLite, expressed as capabilities the shared store calls.
// Nothing outside this boundary asks "is this Postgres?".
import type {
  Expression,
  Kysely,
  UpdateQueryBuilder,
  InsertQueryBuilder,
  InsertResult,
  UpdateResult,
} from 'kysely';
import type { Database } from './schema.js';
import type { Codec, Row } from './codec.js';
import type { ClaimPick, NameLists } from './claim.js';
import { JOB_COLUMNS } from './job-fields.js';
import type { NewEvent, Signal } from './store.js';

export type Db = Kysely<Database>;
export type JobUpdate = UpdateQueryBuilder<Database, 'agent_jobs', 'agent_jobs', UpdateResult>;
export type JobInsert = InsertQueryBuilder<Database, 'agent_jobs', InsertResult>;

/** RETURNING every job column, by name. (Inserts and updates share the shape; one cast, here.) */
export const returningJob = (q: JobUpdate | JobInsert) => (q as JobUpdate).returning(JOB_COLUMNS);

export interface WriteJob {
  query: JobUpdate | JobInsert;
  event?: EventRow | undefined;
  notify?: Signal | undefined;
  /** Also read the fleet's pause row and this named queue's, in the same snapshot. */
  withPause?: { queue: string };
}

export interface WriteOut {
  row: Row | undefined;
  pause: Row | undefined;
  /** The queue's own pause row; undefined when the queue was never paused (or not asked). */
  queuePause: Row | undefined;
}

export interface WriteClaim {
  pick: ClaimPick;
  /** The claim UPDATE of the job whose id the dialect's pick yields. */
  update: (pickedId: Expression<string>) => JobUpdate;
  event: EventRow;
}

export interface WriteClaimMany {
  pick: ClaimPick;
  /** The claim UPDATE of a picked job, given SQL for its id and its lease token. */
  update: (pickedId: Expression<string>, leaseToken: Expression<string>) => JobUpdate;
  /** The claim event; each job's own `data` comes from its slot. */
  event: EventRow;
  /** One per job that may be taken (the batch's limit), in pick order: its lease token and event data. */
  slots: { leaseToken: string; data: unknown }[];
}

export interface WriteEndMany {
  /**
   * Jobs a lease holder ends: each is written only if it still runs under `leaseToken` and no job
   * depends on it (an ending with dependents propagates, which the single write does). Every item
   * sets the same columns (`values`, encoded).
   */
  items: { id: string; leaseToken: string; values: Row; event: EventRow }[];
  /** The single UPDATE of one item, with that condition: for a dialect that writes them one by one. */
  update: (item: { id: string; leaseToken: string; values: Row }) => JobUpdate;
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
  /** How this database matches types and capabilities against a claimer's lists (claim.ts). */
  readonly lists: NameLists;
  /**
   * Takes the best candidate (claim.ts) with `update`, appends the event, and returns the row (if a
   * job was taken) with the pause-state rows (the fleet's, the claimed queue's) read by the same statement.
   */
  writeClaim(p: WriteClaim): Promise<{ row: Row | undefined; pause: Row; queuePause: Row | undefined }>;
  /**
   * A batched claim: up to `slots.length` picks in one transaction (one statement on PostgreSQL),
   * each job with its slot's lease token and its own event; the pause rows as writeClaim reads them.
   */
  writeClaimMany(p: WriteClaimMany): Promise<{ rows: Row[]; pause: Row; queuePause: Row | undefined }>;
  /**
   * Writes the items that still match, with their events and their awaiters' wake-ups, in one
   * transaction; answers the rows written (an item that did not match is absent).
   */
  writeEndMany(p: WriteEndMany): Promise<Row[]>;
  /**
   * Runs a job UPDATE or INSERT and, if it touched a row, atomically appends its event and sends its
   * wake-up (delivered on commit). With `withPause` it also returns the pause-state rows read in the
   * same snapshot, so a claim answers with the state it was guarded by, in one round trip.
   */
  writeJob(p: WriteJob): Promise<WriteOut>;
  /** Holds the dialect's migration lock around fn (Postgres advisory lock; SQLite write lock per step). */
  withMigrationLock<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Runs one migration step atomically; returns false when another process had already applied it. */
  applyMigration(db: Db, step: { version: number; name: string; sql: string }): Promise<boolean>;
  dbNow(): Promise<Date>;
  notify(signal: Signal): Promise<void>;
  subscribe(handler: (signal: Signal) => void): Promise<() => void>;
  close(): Promise<void>;
}
