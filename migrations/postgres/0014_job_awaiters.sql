-- How many `wait` calls await each job's end. A job's end sends its NOTIFY only while someone
-- awaits it: every notifying transaction takes one database-wide lock through its commit (and its
-- WAL flush), so a NOTIFY per finished job serialised all completions of the database.
ALTER TABLE agent_jobs ADD COLUMN awaiters integer NOT NULL DEFAULT 0;
