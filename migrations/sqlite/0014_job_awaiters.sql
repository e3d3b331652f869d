-- How many `wait` calls await each job's end (PostgreSQL sends a finished job's NOTIFY only while
-- someone does; SQLite signals in-process and by data_version, but keeps the same columns).
ALTER TABLE agent_jobs ADD COLUMN awaiters INTEGER NOT NULL DEFAULT 0;
