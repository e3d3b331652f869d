-- Recurring jobs: a cron expression and the job it enqueues at each tick. Any live process fires
-- them; the compare-and-set on next_tick, in the same transaction as the job's insert, makes a
-- tick enqueue exactly once however many processes see it due.
CREATE TABLE agent_schedules (
  name                  text PRIMARY KEY,
  cron                  text NOT NULL,
  timezone              text NOT NULL DEFAULT 'UTC',
  type                  text NOT NULL,
  payload               jsonb NOT NULL,
  priority              integer NOT NULL DEFAULT 0,
  required_capabilities text[] NOT NULL DEFAULT '{}',
  max_attempts          integer,
  queue                 text NOT NULL DEFAULT 'default',
  concurrency_key       text,
  created_by            text,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  -- The newest tick that fired (at creation: the creation time, so no earlier tick ever fires).
  last_tick             timestamptz NOT NULL,
  -- When it is next due: "what is due" is one read of this index.
  next_tick             timestamptz NOT NULL
);
CREATE INDEX agent_schedules_next_idx ON agent_schedules (next_tick);
