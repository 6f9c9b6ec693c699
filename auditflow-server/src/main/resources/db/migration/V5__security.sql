-- API tokens for non-Kubernetes deployments (docs/SECURITY.md). Only a SHA-256 hash of each
-- token is kept: the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    token_id     uuid        PRIMARY KEY,
    name         text        NOT NULL,
    token_hash   text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    roles        text[]      NOT NULL CHECK (cardinality(roles) > 0
                                             AND roles <@ ARRAY['writer', 'reader', 'auditor', 'admin']),
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Who submitted each event: the authenticated principal, set by the service (never by the
-- producer, whose claim stays in actor_id) and covered by the hash chain.
ALTER TABLE audit_events ADD COLUMN ingested_by text;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.api_tokens TO auditflow_writer', current_schema());
    END IF;
END
$$;
