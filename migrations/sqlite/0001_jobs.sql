-- Jobs and their append-only timeline (SPEC §4). Times are integer milliseconds since the epoch
-- (exact and cheap to compare); JSON is text.
CREATE TABLE agent_jobs (
  id                      TEXT PRIMARY KEY,
  type                    TEXT NOT NULL,
  status                  TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead_letter')),
  priority                INTEGER NOT NULL DEFAULT 0,
  payload                 TEXT NOT NULL,
  required_capabilities   TEXT NOT NULL DEFAULT '[]',
  dedupe_key              TEXT,
  run_at                  INTEGER NOT NULL,
  attempt                 INTEGER NOT NULL DEFAULT 0,
  max_attempts            INTEGER NOT NULL,
  claimed_by              TEXT,
  lease_token             TEXT,
  lease_expires_at        INTEGER,
  lease_seconds           INTEGER,
  progress                REAL,
  progress_message        TEXT,
  last_heartbeat_event_at INTEGER,
  cancel_requested_at     INTEGER,
  cancel_requested_by     TEXT,
  cancel_reason           TEXT,
  result                  TEXT,
  result_summary          TEXT,
  error_message           TEXT,
  created_by              TEXT,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  started_at              INTEGER,
  finished_at             INTEGER
) STRICT;

-- Few indexes on purpose (every status change rewrites them); list and pruning use the primary
-- key, since UUIDv7 ids sort by creation time.
CREATE INDEX agent_jobs_claim_idx ON agent_jobs (priority DESC, created_at, id) WHERE status = 'queued';
CREATE INDEX agent_jobs_lease_idx ON agent_jobs (lease_expires_at) WHERE status = 'running';
CREATE UNIQUE INDEX agent_jobs_dedupe_idx ON agent_jobs (type, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');

CREATE TABLE agent_job_events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  -- No foreign key on purpose (as on PostgreSQL): written with its job's change, pruned with it.
  job_id  TEXT NOT NULL,
  at      INTEGER NOT NULL,
  level   TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  kind    TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  message TEXT,
  data    TEXT
) STRICT;
CREATE INDEX agent_job_events_job_idx ON agent_job_events (job_id, id);
