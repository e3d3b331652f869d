// Kysely table types. Column values differ by dialect (timestamptz/Date vs integer ms, jsonb vs
// text), so raw column types are `unknown` here and every value passes through the dialect's codec.
// The jobs table is derived from the job field table (job-fields.ts).
import type { Generated } from 'kysely';
import type { JobsTable } from './job-fields.js';

type Raw = unknown;

export interface JobEventsTable {
  id: Generated<number | string>;
  job_id: string;
  at: Raw;
  level: string;
  kind: string;
  attempt: number;
  message: string | null;
  data: Raw;
}

export interface PauseStateTable {
  id: number;
  paused: Raw;
  mode: string | null;
  reason: string | null;
  requested_by: string | null;
  requested_at: Raw;
  updated_at: Raw;
  version: number;
}

export interface ControlEventsTable {
  id: Generated<number | string>;
  action: string;
  mode: string | null;
  reason: string;
  actor: string | null;
  at: Raw;
  /** The queue a pause or resume was about; null is the fleet. */
  queue: string | null;
}

/** A pause of one named queue (the fleet's is agent_worker_pause_state). */
export interface QueuePauseStateTable {
  queue: string;
  paused: Raw;
  mode: string | null;
  reason: string | null;
  requested_by: string | null;
  requested_at: Raw;
  updated_at: Raw;
  version: number;
}

/** An edge of the dependency graph: job_id waits for depends_on to succeed. */
export interface JobDependenciesTable {
  job_id: string;
  depends_on: string;
}

/** A concurrency key's limit of running jobs; a key without a row has the default. */
export interface ConcurrencyLimitsTable {
  key: string;
  max_running: number;
  updated_by: string | null;
  updated_at: Raw;
}

export interface TokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  allowed_types: Raw;
  allowed_capabilities: Raw;
  created_at: Raw;
  last_used_at: Raw;
  revoked_at: Raw;
}

export interface SchedulesTable {
  name: string;
  cron: string;
  timezone: string;
  type: string;
  payload: Raw;
  priority: number;
  required_capabilities: Raw;
  max_attempts: number | null;
  queue: string;
  concurrency_key: string | null;
  created_by: string | null;
  created_at: Raw;
  updated_at: Raw;
  last_tick: Raw;
  next_tick: Raw;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Database {
  agent_jobs: JobsTable;
  agent_job_events: JobEventsTable;
  agent_worker_pause_state: PauseStateTable;
  agent_system_control_events: ControlEventsTable;
  agent_tokens: TokensTable;
  agent_queue_pause_state: QueuePauseStateTable;
  agent_job_dependencies: JobDependenciesTable;
  agent_concurrency_limits: ConcurrencyLimitsTable;
  agent_schedules: SchedulesTable;
  agent_queue_migrations: MigrationsTable;
}
