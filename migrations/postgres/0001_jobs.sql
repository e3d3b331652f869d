-- Jobs and their append-only timeline (SPEC §4).
CREATE TABLE agent_jobs (
  id                      uuid PRIMARY KEY,
  type                    text NOT NULL,
  status                  text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead_letter')),
  priority                integer NOT NULL DEFAULT 0,
  payload                 jsonb NOT NULL,
  required_capabilities   text[] NOT NULL DEFAULT '{}',
  dedupe_key              text,
  run_at                  timestamptz NOT NULL,
  attempt                 integer NOT NULL DEFAULT 0,
  max_attempts            integer NOT NULL,
  claimed_by              text,
  lease_token             text,
  lease_expires_at        timestamptz,
  lease_seconds           integer,
  progress                double precision,
  progress_message        text,
  last_heartbeat_event_at timestamptz,
  cancel_requested_at     timestamptz,
  cancel_requested_by     text,
  cancel_reason           text,
  result                  jsonb,
  result_summary          text,
  error_message           text,
  created_by              text,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  started_at              timestamptz,
  finished_at             timestamptz
);

-- Few indexes on purpose: a claim or finish changes status, so every index of the row is written
-- again. List (newest first) and pruning walk the primary key: UUIDv7 ids sort by creation time.
-- Serves the claim: queued rows only, in claim order; SKIP LOCKED walks it.
CREATE INDEX agent_jobs_claim_idx ON agent_jobs (priority DESC, created_at, id) WHERE status = 'queued';
-- Serves the expiry sweep and the stale-running count.
CREATE INDEX agent_jobs_lease_idx ON agent_jobs (lease_expires_at) WHERE status = 'running';
-- Enforces dedupe: one unfinished job per (type, dedupe_key).
CREATE UNIQUE INDEX agent_jobs_dedupe_idx ON agent_jobs (type, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');

CREATE TABLE agent_job_events (
  id      bigserial PRIMARY KEY,
  -- No foreign key on purpose: an event is only ever written in the same statement as its job's
  -- change, and pruning deletes both together; the check would cost every transition a lookup.
  job_id  uuid NOT NULL,
  at      timestamptz NOT NULL,
  level   text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  kind    text NOT NULL,
  attempt integer NOT NULL,
  message text,
  data    jsonb
);
CREATE INDEX agent_job_events_job_idx ON agent_job_events (job_id, id);

