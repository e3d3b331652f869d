-- Named queues: every job belongs to one (default `default`); a claim takes from one queue only.
-- ADD COLUMN with a constant default rewrites nothing, so this is instant on a large table.
ALTER TABLE agent_jobs ADD COLUMN queue text NOT NULL DEFAULT 'default';

-- A pause of one queue, next to the fleet pause (agent_worker_pause_state), which stays global:
-- a row per queue that was ever paused, with its own monotonic version.
CREATE TABLE agent_queue_pause_state (
  queue        text PRIMARY KEY,
  paused       boolean NOT NULL DEFAULT false,
  mode         text CHECK (mode IN ('drain', 'quiesce')),
  reason       text,
  requested_by text,
  requested_at timestamptz,
  updated_at   timestamptz NOT NULL,
  version      integer NOT NULL DEFAULT 0
);

-- The audit names the queue a pause or resume was about; NULL is the fleet.
ALTER TABLE agent_system_control_events ADD COLUMN queue text;
