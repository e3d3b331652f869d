-- Bearer tokens for HTTP mode (SPEC §12). Only a hash of the token is stored.
CREATE TABLE agent_tokens (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL UNIQUE,
  role                 TEXT NOT NULL CHECK (role IN ('producer', 'worker', 'operator')),
  token_hash           TEXT NOT NULL UNIQUE,
  allowed_types        TEXT,
  allowed_capabilities TEXT,
  created_at           INTEGER NOT NULL,
  last_used_at         INTEGER,
  revoked_at           INTEGER
) STRICT;
