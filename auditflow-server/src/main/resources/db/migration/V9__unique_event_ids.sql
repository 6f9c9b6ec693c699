-- An event_id names one event in the whole store, for ever.
--
-- audit_events is partitioned by event_date, and PostgreSQL requires a partitioned table's unique
-- keys to include the partition key: its primary key (event_id, event_date) let the same id be
-- stored a second time with a timestamp on another day — a second event that GET /events/{id}
-- answered with and that verified as part of its chain. This table holds every id once: the
-- writer claims the ids of a request's new events here in the events' own transaction, so a
-- second claim of an id fails whatever its date (docs/ARCHITECTURE.md, "Event ids").
--
-- Rows are never deleted, not even by the purge: an id stays taken after its event expired, as
-- its leaf stays in the verifiable log, so a purged event cannot be stored again by a late retry.
-- It also answers "which partition holds event X" with one unique-index lookup, which readers by
-- id use instead of probing every partition.
CREATE TABLE audit_event_ids (
    event_id   uuid PRIMARY KEY,
    event_date date NOT NULL
);

-- The ids of a store written before this migration: of an id stored more than once (on different
-- dates), the first received is the event; the others stay stored — the trail is immutable — and
-- are counted below.
INSERT INTO audit_event_ids (event_id, event_date)
SELECT DISTINCT ON (event_id) event_id, event_date FROM audit_events
ORDER BY event_id, received_at, event_date;

-- Purged events live on as leaves of the log (or, briefly, in its queue): their ids stay taken.
INSERT INTO audit_event_ids (event_id, event_date)
SELECT DISTINCT ON (event_id) event_id, event_date FROM log_leaves ORDER BY event_id, leaf_index
ON CONFLICT (event_id) DO NOTHING;
INSERT INTO audit_event_ids (event_id, event_date)
SELECT DISTINCT ON (q.e) q.e, q.d FROM log_queue, unnest(event_ids, event_dates) AS q(e, d) ORDER BY q.e
ON CONFLICT (event_id) DO NOTHING;

DO $$
DECLARE
    shadowed bigint;
BEGIN
    SELECT count(*) INTO shadowed FROM audit_events e
    WHERE NOT EXISTS (SELECT 1 FROM audit_event_ids i WHERE i.event_id = e.event_id AND i.event_date = e.event_date);
    IF shadowed > 0 THEN
        RAISE WARNING '% stored events reuse the event_id of an event stored earlier on another date; they stay in'
            ' their chains and the log, and GET /api/v1/audit/events/{event_id} answers with the earlier one', shadowed;
    END IF;
END
$$;

CREATE TRIGGER audit_event_ids_append_only BEFORE UPDATE OR DELETE ON audit_event_ids
    FOR EACH ROW EXECUTE FUNCTION auditflow_append_only();
CREATE TRIGGER audit_event_ids_no_truncate BEFORE TRUNCATE ON audit_event_ids
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_append_only();

-- An event's leaf is found by the event's whole key, (event_id, event_date), with the leaf index in
-- the index too: "the newest leaf of this event" is then one descent of this index whatever the
-- statistics say. The old index on event_id alone let a query planner without statistics (right
-- after a bulk load, before autovacuum's ANALYZE) walk log_leaves' primary key instead, once per
-- row of a page: 1.1-2.2 s for a page of 1 000 after 20 000 events (docs/BENCHMARKS.md).
DROP INDEX IF EXISTS log_leaves_event_idx;
CREATE INDEX log_leaves_event_idx ON log_leaves (event_id, event_date, leaf_index);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT, INSERT ON %I.audit_event_ids TO auditflow_writer', current_schema());
    END IF;
END
$$;
