-- Tamper evidence: every event is a link in the hash chain of its correlation_id.
-- See docs/CHAIN.md for the canonical form and how to verify a chain independently.
ALTER TABLE audit_events
    ADD COLUMN chain_position      bigint,
    ADD COLUMN previous_event_hash text,
    ADD COLUMN event_hash          text,
    ADD COLUMN hash_algorithm      text;

ALTER TABLE audit_events
    ADD CONSTRAINT audit_events_hash_algorithm_check CHECK (hash_algorithm IN ('sha256', 'hmac-sha256'));

CREATE INDEX audit_events_chain_idx ON audit_events (correlation_id, chain_position);

-- The head of each chain: its last position and hash. Written in the same transaction as the
-- events, so it is the authority on how long a chain must be: a deleted last event shows up
-- as a missing position, an appended forgery as a position beyond the head.
CREATE TABLE audit_chain_heads (
    correlation_id text   PRIMARY KEY,
    last_position  bigint NOT NULL,
    last_hash      text   NOT NULL
);

-- Serialises writers of the same chains. Locks are taken in ascending key order, so two
-- transactions locking overlapping sets of chains cannot deadlock; chains of other
-- correlations are not blocked. Released at the end of the transaction.
CREATE FUNCTION auditflow_lock_chains(correlation_ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lock_key bigint;
BEGIN
    FOR lock_key IN
        SELECT DISTINCT hashtextextended(c, 0) FROM unnest(correlation_ids) AS c ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(lock_key);
    END LOOP;
END
$$;

-- Audit rows are append-only. The one exception is the retention purge (a later feature), which
-- must declare itself with SET LOCAL auditflow.retention_purge = 'on' and may delete only rows
-- whose retention has expired; that purge records what it deleted.
CREATE FUNCTION auditflow_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('auditflow.retention_purge', true) = 'on'
       AND OLD.event_timestamp + make_interval(days => OLD.retention_days) < now() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the retention purge may delete, and only expired events.';
END
$$;

CREATE TRIGGER audit_events_immutable
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION auditflow_forbid_change();

CREATE FUNCTION auditflow_forbid_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are immutable: TRUNCATE on % is not allowed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_forbid_truncate();

-- On-demand partitions must be created by the table's owner, also when the service runs as the
-- restricted role below; the function runs as its owner, with a fixed search_path.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION auditflow_ensure_month_partition(date) SECURITY DEFINER SET search_path = %I',
                   current_schema());
END
$$;

-- A role for the service to run as, with no UPDATE/DELETE/TRUNCATE on the audit trail: grant it
-- to the login the service uses (GRANT auditflow_writer TO my_service_login). Created only when
-- the migrating user may create roles; otherwise an administrator does it (docs/CHAIN.md).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            CREATE ROLE auditflow_writer NOLOGIN;
        ELSE
            RAISE NOTICE 'cannot create role auditflow_writer; create it and re-apply the grants in docs/CHAIN.md';
            RETURN;
        END IF;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO auditflow_writer', current_schema());
    EXECUTE format('GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA %I TO auditflow_writer', current_schema());
    EXECUTE format('GRANT UPDATE ON %I.audit_chain_heads TO auditflow_writer', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT ON TABLES TO auditflow_writer', current_schema());
END
$$;
