-- Fleet pause: a singleton state row with a monotonic version, and an audit trail (SPEC §8).
CREATE TABLE agent_worker_pause_state (
  id           integer PRIMARY KEY CHECK (id = 1),
  paused       boolean NOT NULL DEFAULT false,
  mode         text CHECK (mode IN ('drain', 'quiesce')),
  reason       text,
  requested_by text,
  requested_at timestamptz,
  updated_at   timestamptz NOT NULL,
  version      integer NOT NULL DEFAULT 0
);
INSERT INTO agent_worker_pause_state (id, paused, updated_at, version) VALUES (1, false, now(), 0);

CREATE TABLE agent_system_control_events (
  id     bigserial PRIMARY KEY,
  action text NOT NULL CHECK (action IN ('pause', 'resume')),
  mode   text,
  reason text NOT NULL,
  actor  text,
  at     timestamptz NOT NULL
);
