-- Exact totals without counting the trail (docs/ARCHITECTURE.md, "Totals"). Every first page
-- carries a `total`; for event_category=…, event_outcome=…, severity=…, event_type=… or no filter
-- at all, that was a count of every matching row — a scan of a large share of the trail, 50–80 ms
-- at 200 000 events. These rows hold the same numbers, changed in the transaction that changes
-- the trail, so a total read from them is exactly count(*) in the reader's snapshot.
--
-- Rows are deltas: a statement that stores or deletes events appends one row per value it
-- touched (+n or −n), so concurrent writers never update a shared row and never wait for each
-- other here. A value's count is the sum of its rows; auditflow_fold_event_counts folds them into
-- one row per value now and then, which keeps that sum short.
CREATE TABLE audit_event_counts (
    dimension text   NOT NULL CHECK (dimension IN ('event_category', 'event_outcome', 'severity', 'event_type')),
    value     text   NOT NULL,
    events    bigint NOT NULL
);
CREATE INDEX audit_event_counts_value_idx ON audit_event_counts (dimension, value) INCLUDE (events);

-- The statement that appends the deltas of the events in `source` (a table), each counted
-- `sign` times, for the partition drop and this migration's first count. One pass with grouping
-- sets; GROUPING() names the column each output row was grouped by. A NULL severity (allowed
-- since V4) is not counted: no filter asks for it.
CREATE FUNCTION auditflow_event_counts_delta(source text, sign integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO audit_event_counts (dimension, value, events)'
        ' SELECT CASE GROUPING(event_category, event_outcome, severity, event_type)'
        '             WHEN 7 THEN ''event_category'' WHEN 11 THEN ''event_outcome'''
        '             WHEN 13 THEN ''severity'' ELSE ''event_type'' END,'
        '        coalesce(event_category, event_outcome, severity, event_type), %2$s * count(*)'
        ' FROM %1$s GROUP BY GROUPING SETS ((event_category), (event_outcome), (severity), (event_type))'
        ' HAVING coalesce(event_category, event_outcome, severity, event_type) IS NOT NULL',
        source, sign)
$$;

-- Statement-level, so a COPY of 1 000 events appends a handful of rows, not 4 000. Whoever
-- writes the trail — this version, an older node during a rolling upgrade, the purge's
-- auditflow_purge_events — keeps the counts exact, because the database does it. The statement
-- is the one above written out: a static statement's plan is cached, where planning the dynamic
-- one cost each one-row write (an access record) 0.2 ms instead of 0.05 (docs/BENCHMARKS.md §14b).
CREATE FUNCTION auditflow_count_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    sign integer := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
    INSERT INTO audit_event_counts (dimension, value, events)
    SELECT CASE GROUPING(event_category, event_outcome, severity, event_type)
               WHEN 7 THEN 'event_category' WHEN 11 THEN 'event_outcome'
               WHEN 13 THEN 'severity' ELSE 'event_type' END,
           coalesce(event_category, event_outcome, severity, event_type), sign * count(*)
    FROM changed GROUP BY GROUPING SETS ((event_category), (event_outcome), (severity), (event_type))
    HAVING coalesce(event_category, event_outcome, severity, event_type) IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_counted_in AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION auditflow_count_events();
CREATE TRIGGER audit_events_counted_out AFTER DELETE ON audit_events
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION auditflow_count_events();

-- Folds every value's deltas into one row. One transaction: a reader sees the rows before or
-- after it, the same sums either way. Deltas committed meanwhile are not visible to it and stay
-- for the next fold; two folds at once each delete only rows the other did not, so nothing is
-- counted twice. Returns the rows it folded.
CREATE FUNCTION auditflow_fold_event_counts() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    WITH gone AS (DELETE FROM audit_event_counts RETURNING dimension, value, events),
         kept AS (INSERT INTO audit_event_counts (dimension, value, events)
                  SELECT dimension, value, sum(events)::bigint FROM gone
                  GROUP BY dimension, value HAVING sum(events) <> 0)
    SELECT count(*) FROM gone INTO folded;
    RETURN folded;
END
$$;

-- Dropping a month partition fires no trigger. V6's function, which checks and drops, is kept
-- under another name and called by this one, which first takes the month's events off the
-- counts — under the lock V6's takes too, so that nothing is inserted in between, and in the
-- same transaction, so that its refusal takes them back. The partition check comes first: as
-- the table's owner, this must never lock or read another table.
ALTER FUNCTION auditflow_drop_purged_partition(text) RENAME TO auditflow_drop_uncounted_partition;
CREATE FUNCTION auditflow_drop_purged_partition(part_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    qualified text := format('%I.%I', current_schema(), part_name);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = 'audit_events'::regclass
                   AND i.inhrelid = to_regclass(qualified)) THEN
        RAISE EXCEPTION '% is not a partition of audit_events', qualified;
    END IF;
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', qualified);
    EXECUTE auditflow_event_counts_delta(qualified, -1);
    RETURN auditflow_drop_uncounted_partition(part_name);
END
$$;

-- The trail as it is now, counted once. CREATE TRIGGER above waited for writers under way and
-- holds new ones off until this migration commits, so nothing is missed or counted twice.
DO $$
BEGIN
    EXECUTE auditflow_event_counts_delta('audit_events', 1);
END
$$;

-- Only the functions above write the counts: as the table's owner. The service's login may read
-- them; a login that could insert rows here could make a total say what it liked.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION auditflow_count_events() SECURITY DEFINER SET search_path = %I', current_schema());
    EXECUTE format('ALTER FUNCTION auditflow_fold_event_counts() SECURITY DEFINER SET search_path = %I',
                   current_schema());
    EXECUTE format('ALTER FUNCTION auditflow_drop_purged_partition(text) SECURITY DEFINER SET search_path = %I',
                   current_schema());
    -- Called directly, V6's drop would leave the month in the counts.
    REVOKE EXECUTE ON FUNCTION auditflow_drop_uncounted_partition(text) FROM PUBLIC;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('REVOKE ALL ON %I.audit_event_counts FROM auditflow_writer', current_schema());
        EXECUTE format('GRANT SELECT ON %I.audit_event_counts TO auditflow_writer', current_schema());
    END IF;
END
$$;
