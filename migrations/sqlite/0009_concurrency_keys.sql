-- Concurrency keys: at most N running jobs per key (default 1, when the key has no row here).
ALTER TABLE agent_jobs ADD COLUMN concurrency_key TEXT;
-- The claim counts a key's running jobs: this index holds only those.
CREATE INDEX agent_jobs_key_running_idx ON agent_jobs (concurrency_key)
  WHERE status = 'running' AND concurrency_key IS NOT NULL;

CREATE TABLE agent_concurrency_limits (
  key         TEXT PRIMARY KEY,
  max_running INTEGER NOT NULL CHECK (max_running >= 0),
  updated_by  TEXT,
  updated_at  INTEGER NOT NULL
) STRICT;
