-- The claim index, rebuilt for named queues and dependencies: a claim asks for one queue, so the
-- queue leads; a job still waiting for a dependency is not a candidate, so it is left out.
DROP INDEX agent_jobs_claim_idx;
CREATE INDEX agent_jobs_claim_idx ON agent_jobs (queue, priority DESC, created_at, id)
  WHERE status = 'queued' AND pending_dependencies = 0;
