-- A job submitted as an MCP task (queue_submit) carries the task's id: an unguessable token, not the
-- job id, since whoever holds it may read the result and cancel. Unique so it names one job.
ALTER TABLE agent_jobs ADD COLUMN task_id text;
CREATE UNIQUE INDEX agent_jobs_task_id_idx ON agent_jobs (task_id) WHERE task_id IS NOT NULL;
