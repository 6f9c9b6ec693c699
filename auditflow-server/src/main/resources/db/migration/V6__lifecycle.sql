-- The compliance lifecycle (docs/COMPLIANCE.md): retention policies, legal holds, a purge that
-- leaves every chain verifiable, and the service's signing keys.

-- Legal holds, by correlation: every event of a held correlation — stored before the hold or
-- arriving after it — is kept, whatever its retention. At most one active hold per correlation;
-- released holds stay as history.
CREATE TABLE legal_holds (
    hold_id        uuid        PRIMARY KEY,
    correlation_id text        NOT NULL,
    reason         text        NOT NULL CHECK (reason <> ''),
    placed_by      text        NOT NULL,
    placed_at      timestamptz NOT NULL,
    released_by    text,
    released_at    timestamptz,
    release_reason text,
    CHECK ((released_at IS NULL) = (released_by IS NULL) AND (released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX legal_holds_active_idx ON legal_holds (correlation_id) WHERE released_at IS NULL;

-- Retention policies: the retention of an event that does not state its own, by event_type,
-- else event_category, else the default (both NULL). minimum_days, when set, is a floor for
-- events that do state their own.
CREATE TABLE retention_policies (
    policy_id      uuid        PRIMARY KEY,
    event_category text,
    event_type     text,
    retention_days integer     NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
    minimum_days   integer     CHECK (minimum_days BETWEEN 1 AND retention_days),
    updated_by     text        NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX retention_policies_scope_idx
    ON retention_policies ((coalesce(event_category, '')), (coalesce(event_type, '')));
INSERT INTO retention_policies (policy_id, event_category, event_type, retention_days, minimum_days, updated_by, updated_at)
VALUES ('00000000-0000-7000-8000-000000000000', NULL, NULL, 2555, NULL, 'auditflow', now());

-- Public keys the service has signed with (exports, purge records), so that a signature made
-- before a key change still verifies.
CREATE TABLE signing_keys (
    key_id        text        PRIMARY KEY,
    algorithm     text        NOT NULL CHECK (algorithm = 'Ed25519'),
    public_key    text        NOT NULL,
    first_used_at timestamptz NOT NULL
);

-- What each purge removed, per chain: positions purged_from..purged_through, and the hash (and
-- algorithm) of the last purged event, which the first remaining event links to. Signed by the
-- service, so a verifier tells a purge from a deletion by someone else.
CREATE TABLE audit_purge_records (
    correlation_id      text        NOT NULL,
    purged_from         bigint      NOT NULL CHECK (purged_from >= 1),
    purged_through      bigint      NOT NULL,
    last_purged_hash    text        NOT NULL,
    last_hash_algorithm text        NOT NULL,
    purge_id            uuid        NOT NULL,
    purged_at           timestamptz NOT NULL,
    key_id              text        NOT NULL REFERENCES signing_keys (key_id),
    signature           text        NOT NULL,
    PRIMARY KEY (correlation_id, purged_through),
    CHECK (purged_through >= purged_from)
);

CREATE FUNCTION auditflow_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_purge_records_append_only BEFORE UPDATE OR DELETE ON audit_purge_records
    FOR EACH ROW EXECUTE FUNCTION auditflow_append_only();
CREATE TRIGGER audit_purge_records_no_truncate BEFORE TRUNCATE ON audit_purge_records
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_append_only();

-- An event expires at the end of the UTC day event_date + retention_days: whole days, the same
-- rule here, in the purge and in the documentation (timestamptz + interval would depend on the
-- session's time zone, and could not be indexed).
CREATE INDEX audit_events_expiry_idx ON audit_events ((event_date + retention_days));

-- Deleting stays forbidden except to the purge, and now also for events under a legal hold —
-- enforced here, not only by the service.
CREATE OR REPLACE FUNCTION auditflow_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('auditflow.retention_purge', true) = 'on' THEN
        IF EXISTS (SELECT 1 FROM legal_holds h WHERE h.correlation_id = OLD.correlation_id AND h.released_at IS NULL) THEN
            RAISE EXCEPTION 'event % is under a legal hold (correlation %)', OLD.event_id, OLD.correlation_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.event_date + OLD.retention_days < (now() AT TIME ZONE 'UTC')::date THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the retention purge may delete, and only expired events under no legal hold.';
END
$$;

-- The fast path of the purge: dropping a whole month partition. Row triggers do not fire for
-- DROP, so these functions make the checks themselves. Both run as the table's owner.
--
-- auditflow_partition_purge_ranges locks the partition against inserts and legal_holds against
-- new holds (until the caller's transaction ends), refuses unless every row is expired and
-- under no hold and each chain's rows in it are exactly the next positions after what was
-- already purged, and returns per chain the range the purge record must cover.
CREATE FUNCTION auditflow_partition_purge_ranges(part_name text)
RETURNS TABLE (correlation_id text, purged_from bigint, purged_through bigint, last_hash text, last_algorithm text)
LANGUAGE plpgsql AS $$
DECLARE
    qualified text := format('%I.%I', current_schema(), part_name);
    blocking  bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = 'audit_events'::regclass
                   AND i.inhrelid = to_regclass(qualified)) THEN
        RAISE EXCEPTION '% is not a partition of audit_events', qualified;
    END IF;
    LOCK TABLE legal_holds IN SHARE MODE;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', qualified);
    EXECUTE format('SELECT count(*) FROM %s e WHERE NOT (e.event_date + e.retention_days < (now() AT TIME ZONE ''UTC'')::date)'
                   ' OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.correlation_id = e.correlation_id AND h.released_at IS NULL)',
                   qualified) INTO blocking;
    IF blocking > 0 THEN
        RAISE EXCEPTION '% holds % events that are not expired or are under a legal hold', qualified, blocking
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Per chain: its rows here, and what was purged before (positions 1..through).
    EXECUTE format(
        'CREATE TEMPORARY TABLE auditflow_partition_chains ON COMMIT DROP AS'
        ' WITH g AS (SELECT e.correlation_id, min(e.chain_position) AS mn, max(e.chain_position) AS mx, count(*) AS n'
        '            FROM %s e GROUP BY e.correlation_id)'
        ' SELECT g.*, coalesce((SELECT max(r.purged_through) FROM audit_purge_records r'
        '                        WHERE r.correlation_id = g.correlation_id), 0) AS through FROM g', qualified);
    EXECUTE 'SELECT count(*) FROM auditflow_partition_chains t WHERE t.mn <> t.through + 1 OR t.n <> t.mx - t.through'
        INTO blocking;
    IF blocking > 0 THEN
        RAISE EXCEPTION '% holds events of % chains whose earlier events are not purged yet', qualified, blocking
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT t.correlation_id, t.mn, t.mx, e.event_hash, e.hash_algorithm FROM auditflow_partition_chains t'
        ' JOIN %s e ON e.correlation_id = t.correlation_id AND e.chain_position = t.mx', qualified);
    EXECUTE 'DROP TABLE auditflow_partition_chains';
END
$$;

-- auditflow_drop_purged_partition drops the partition once every chain in it has a purge record
-- covering its rows there — and re-checks expiry and holds, so it is safe whoever calls it.
CREATE FUNCTION auditflow_drop_purged_partition(part_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    qualified  text := format('%I.%I', current_schema(), part_name);
    blocking   bigint;
    dropped    bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = 'audit_events'::regclass
                   AND i.inhrelid = to_regclass(qualified)) THEN
        RAISE EXCEPTION '% is not a partition of audit_events', qualified;
    END IF;
    LOCK TABLE legal_holds IN SHARE MODE;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', qualified);
    EXECUTE format('SELECT count(*) FROM %s e WHERE NOT (e.event_date + e.retention_days < (now() AT TIME ZONE ''UTC'')::date)'
                   ' OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.correlation_id = e.correlation_id AND h.released_at IS NULL)'
                   ' OR NOT EXISTS (SELECT 1 FROM audit_purge_records r WHERE r.correlation_id = e.correlation_id'
                   '                AND e.chain_position BETWEEN r.purged_from AND r.purged_through)',
                   qualified) INTO blocking;
    IF blocking > 0 THEN
        RAISE EXCEPTION '% holds % events that are not expired, are under a legal hold or have no purge record',
            qualified, blocking USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('SELECT count(*) FROM %s', qualified) INTO dropped;
    EXECUTE format('DROP TABLE %s', qualified);
    RETURN dropped;
END
$$;

-- Deletes positions from..through of one chain, as the purge. The trigger above still checks
-- every row (expired, not held); this only lets a service login without DELETE on the trail do
-- it, and only this way. Runs as the table's owner.
CREATE FUNCTION auditflow_purge_events(chain text, from_position bigint, through_position bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM set_config('auditflow.retention_purge', 'on', true);
    DELETE FROM audit_events WHERE correlation_id = chain AND chain_position BETWEEN from_position AND through_position;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('auditflow.retention_purge', 'off', true);
    RETURN deleted;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION auditflow_partition_purge_ranges(text) SECURITY DEFINER SET search_path = %I',
                   current_schema());
    EXECUTE format('ALTER FUNCTION auditflow_drop_purged_partition(text) SECURITY DEFINER SET search_path = %I',
                   current_schema());
    EXECUTE format('ALTER FUNCTION auditflow_purge_events(text, bigint, bigint) SECURITY DEFINER SET search_path = %I',
                   current_schema());
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.legal_holds TO auditflow_writer', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.retention_policies TO auditflow_writer', current_schema());
        EXECUTE format('GRANT SELECT, INSERT ON %I.signing_keys, %I.audit_purge_records TO auditflow_writer',
                       current_schema(), current_schema());
    END IF;
END
$$;
