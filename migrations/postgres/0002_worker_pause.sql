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

-- The claim's pick (here, after the pause table it consults): the best queued job this worker may take, locked, skipping rows other claimers
-- hold. It is a function only so that it can pin its plan: with stale statistics (a fresh or
-- bursty table) the planner would otherwise sort every queued row instead of walking
-- agent_jobs_claim_idx in order and stopping at the first match.
CREATE FUNCTION agent_queue_pick(p_now timestamptz, p_types text[], p_capabilities text[], p_unless_paused boolean)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET enable_sort = off
SET enable_bitmapscan = off
SET jit = off
AS $$
BEGIN
  -- PL/pgSQL keeps the prepared plan for the session, so the pick is not re-planned per claim.
  RETURN (
    SELECT id FROM agent_jobs
    WHERE status = 'queued'
      AND run_at <= p_now
      AND (p_types IS NULL OR type = ANY (p_types))
      AND required_capabilities <@ p_capabilities
      AND NOT (p_unless_paused AND EXISTS (SELECT 1 FROM agent_worker_pause_state WHERE paused))
    ORDER BY priority DESC, created_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  );
END
$$;
