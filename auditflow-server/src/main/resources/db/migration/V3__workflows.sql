-- The catalog of remediation workflows. (workflow_name, version) is unique: a duplicate create
-- is answered 409 from the unique violation on workflows_name_version_key (DS-BUG-001).
CREATE TABLE workflows (
    workflow_id       uuid        PRIMARY KEY,
    workflow_name     text        NOT NULL,
    version           text        NOT NULL,
    name              text        NOT NULL,
    description       text        NOT NULL,
    content           text        NOT NULL,
    content_hash      text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    labels            jsonb       NOT NULL,
    signal_type       text        NOT NULL,
    severity          text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    component         text        NOT NULL,
    environment       text        NOT NULL,
    priority          text        NOT NULL CHECK (priority IN ('P0', 'P1', 'P2', 'P3', '*')),
    execution_engine  text        NOT NULL,
    owner             text,
    maintainer        text,
    container_image   text,
    parameters        jsonb,
    status            text        NOT NULL CHECK (status IN ('active', 'disabled', 'deprecated', 'archived')),
    status_reason     text,
    updated_by        text,
    is_latest_version boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT workflows_name_version_key UNIQUE (workflow_name, version)
);

CREATE INDEX workflows_created_idx ON workflows (created_at, workflow_id);
CREATE INDEX workflows_latest_idx ON workflows (workflow_name) WHERE is_latest_version;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.workflows TO auditflow_writer', current_schema());
    END IF;
END
$$;
