-- Job dependencies: a job runs only after every job it depends on succeeded.
-- pending_dependencies counts the dependencies that have not succeeded yet; the claim takes only
-- jobs at 0 (and the claim index holds only those, 0010), so a blocked job costs a claim nothing.
-- dependents counts the jobs that depend on this one: an ending with none skips the propagation.
ALTER TABLE agent_jobs ADD COLUMN pending_dependencies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agent_jobs ADD COLUMN dependents INTEGER NOT NULL DEFAULT 0;

-- One row per edge: job_id waits for depends_on. No foreign keys, as for events: rows are written
-- only with their jobs, and pruning deletes them together.
CREATE TABLE agent_job_dependencies (
  job_id     TEXT NOT NULL,
  depends_on TEXT NOT NULL,
  PRIMARY KEY (job_id, depends_on)
) STRICT, WITHOUT ROWID;
-- The propagation walks edges from the job that ended.
CREATE INDEX agent_job_dependencies_on_idx ON agent_job_dependencies (depends_on);
