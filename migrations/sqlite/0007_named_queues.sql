-- Named queues: every job belongs to one (default `default`); a claim takes from one queue only.
ALTER TABLE agent_jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';

-- A pause of one queue, next to the fleet pause (agent_worker_pause_state), which stays global:
-- a row per queue that was ever paused, with its own monotonic version.
CREATE TABLE agent_queue_pause_state (
  queue        TEXT PRIMARY KEY,
  paused       INTEGER NOT NULL DEFAULT 0,
  mode         TEXT CHECK (mode IN ('drain', 'quiesce')),
  reason       TEXT,
  requested_by TEXT,
  requested_at INTEGER,
  updated_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The audit names the queue a pause or resume was about; NULL is the fleet.
ALTER TABLE agent_system_control_events ADD COLUMN queue TEXT;
