-- Fleet pause: a singleton state row with a monotonic version, and an audit trail (SPEC §8).
CREATE TABLE agent_worker_pause_state (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  paused       INTEGER NOT NULL DEFAULT 0,
  mode         TEXT CHECK (mode IN ('drain', 'quiesce')),
  reason       TEXT,
  requested_by TEXT,
  requested_at INTEGER,
  updated_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO agent_worker_pause_state (id, paused, updated_at, version)
  VALUES (1, 0, CAST(unixepoch('subsec') * 1000 AS INTEGER), 0);

CREATE TABLE agent_system_control_events (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  action TEXT NOT NULL CHECK (action IN ('pause', 'resume')),
  mode   TEXT,
  reason TEXT NOT NULL,
  actor  TEXT,
  at     INTEGER NOT NULL
) STRICT;
