// The PostgreSQL schema names the queue accepts. A file of its own, free of the driver, so that
// reading the settings of a SQLite command does not load pg.
// Short enough that the NOTIFY channel `agent_queue_<schema>` fits PostgreSQL's 63-byte names.
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;
