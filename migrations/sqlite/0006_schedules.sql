-- Recurring jobs: a cron expression and the job it enqueues at each tick. Any live process fires
-- them; the compare-and-set on next_tick, in the same transaction as the job's insert, makes a
-- tick enqueue exactly once however many processes see it due.
CREATE TABLE agent_schedules (
  name                  TEXT PRIMARY KEY,
  cron                  TEXT NOT NULL,
  timezone              TEXT NOT NULL DEFAULT 'UTC',
  type                  TEXT NOT NULL,
  payload               TEXT NOT NULL,
  priority              INTEGER NOT NULL DEFAULT 0,
  required_capabilities TEXT NOT NULL DEFAULT '[]',
  max_attempts          INTEGER,
  queue                 TEXT NOT NULL DEFAULT 'default',
  concurrency_key       TEXT,
  created_by            TEXT,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  -- The newest tick that fired (at creation: the creation time, so no earlier tick ever fires).
  last_tick             INTEGER NOT NULL,
  -- When it is next due: "what is due" is one read of this index.
  next_tick             INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_schedules_next_idx ON agent_schedules (next_tick);
