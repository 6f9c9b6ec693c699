-- The log's leaves one row per write request instead of one per event (docs/LOG.md, "Storage";
-- docs/BENCHMARKS.md §8): the integrator wrote a log_leaves row with two index entries for every
-- event, which was what the log cost ingest. Now a request's queue row stays where it is and the
-- integrator gives it its first leaf index: leaf first_leaf + k is the row's k-th event.

-- The queue becomes the batches: queued while first_leaf is NULL, leaves once it is set. Setting it
-- updates one small row per request: its arrays stay in their TOAST chunks, unchanged. Integrated
-- batches are never deleted (a purged event stays in the tree as its hash).
ALTER TABLE log_queue RENAME TO log_batches;
ALTER SEQUENCE log_queue_seq_seq RENAME TO log_batches_seq_seq;
ALTER TABLE log_batches RENAME CONSTRAINT log_queue_pkey TO log_batches_pkey;
ALTER TABLE log_batches
    ADD COLUMN first_leaf     bigint,
    ADD COLUMN integrated_at  timestamptz,
    -- Whether the batch's events name it in audit_event_ids (log_batch, log_position), as every
    -- batch written from this version on does. Rows queued by an earlier version do not: the
    -- integrator gives their events log_leaves rows, as that version would have.
    ADD COLUMN events_linked  boolean NOT NULL DEFAULT false,
    -- A linked batch's leaf hashes, 32 bytes each in event order, as one value: written and read
    -- as bytes, where a bytea[] is an array literal of hex text that both ends must format and
    -- parse element by element. (leaf_hashes stays for rows queued before this version.)
    ADD COLUMN leaf_hashes_packed bytea;
ALTER TABLE log_batches ALTER COLUMN events_linked SET DEFAULT true;
ALTER TABLE log_batches ALTER COLUMN leaf_hashes_packed SET STORAGE EXTERNAL;
ALTER TABLE log_batches
    ADD CONSTRAINT log_batches_integrated CHECK ((first_leaf IS NULL) = (integrated_at IS NULL)),
    ADD CONSTRAINT log_batches_linked_hashed CHECK (NOT events_linked
        OR (leaf_hashes IS NULL AND length(leaf_hashes_packed) = 32 * cardinality(event_ids)));
CREATE UNIQUE INDEX log_batches_first_leaf_idx ON log_batches (first_leaf) WHERE first_leaf IS NOT NULL;
CREATE INDEX log_batches_queued_idx ON log_batches (seq) WHERE first_leaf IS NULL;

-- What is queued, under the name it always had (operators' queries, and the tests that count it).
CREATE VIEW log_queue AS
SELECT seq, event_ids, event_dates,
       CASE WHEN events_linked
            THEN ARRAY(SELECT substring(leaf_hashes_packed FROM 32 * k + 1 FOR 32)
                       FROM generate_series(0, cardinality(event_ids) - 1) AS k)
            ELSE leaf_hashes END AS leaf_hashes,
       queued_at
FROM log_batches WHERE first_leaf IS NULL;

-- An event's batch and its place in it: the link survives a purge, as the id does, so a purged
-- event stays provable by its id. NULL for events whose leaves are log_leaves rows.
ALTER TABLE audit_event_ids ADD COLUMN log_batch bigint, ADD COLUMN log_position integer;

-- log_leaves keeps the leaves integrated before this version (and those of rows queued before it);
-- no new rows are written to it otherwise. Every leaf of the tree, wherever it is stored, for
-- people and tools reading the database (the service reads the tables directly, by index).
CREATE VIEW log_tree_leaves AS
SELECT leaf_index, event_id, event_date, leaf_hash, queued_at, integrated_at FROM log_leaves
UNION ALL
SELECT b.first_leaf + l.k - 1, l.event_id, l.event_date, substring(b.leaf_hashes_packed FROM 32 * (l.k::int - 1) + 1 FOR 32),
       b.queued_at, b.integrated_at
FROM log_batches b, unnest(b.event_ids, b.event_dates) WITH ORDINALITY AS l(event_id, event_date, k)
WHERE b.first_leaf IS NOT NULL;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        -- Integrating a batch sets its first leaf; nothing else in it changes.
        EXECUTE format('GRANT UPDATE (first_leaf, integrated_at) ON %I.log_batches TO auditflow_writer', current_schema());
        EXECUTE format('GRANT SELECT ON %I.log_queue, %I.log_tree_leaves TO auditflow_writer',
            current_schema(), current_schema());
    END IF;
END
$$;
