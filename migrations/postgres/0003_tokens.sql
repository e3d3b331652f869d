-- Bearer tokens for HTTP mode (SPEC §12). Only a hash of the token is stored.
CREATE TABLE agent_tokens (
  id                   uuid PRIMARY KEY,
  name                 text NOT NULL UNIQUE,
  role                 text NOT NULL CHECK (role IN ('producer', 'worker', 'operator')),
  token_hash           text NOT NULL UNIQUE,
  allowed_types        jsonb,
  allowed_capabilities jsonb,
  created_at           timestamptz NOT NULL,
  last_used_at         timestamptz,
  revoked_at           timestamptz
);
