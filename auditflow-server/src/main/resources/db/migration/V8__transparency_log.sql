-- The verifiable log (docs/LOG.md): one append-only RFC 6962 Merkle tree over every stored event.

-- Events committed but not yet in the tree, written in the same transaction as the events
-- (an outbox): the integrator gives them leaf indices after commit, so the order is the order
-- they become visible, whatever instance wrote them. One row per write request, its events in
-- arrays: a row per event cost ingest a fifth of its throughput (docs/BENCHMARKS.md §8).
-- leaf_hashes is NULL only for events stored before this migration; the integrator computes those
-- from the stored rows.
CREATE TABLE log_queue (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_ids    uuid[]      NOT NULL,
    event_dates  date[]      NOT NULL,
    leaf_hashes  bytea[],
    queued_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (cardinality(event_ids) = cardinality(event_dates)
        AND (leaf_hashes IS NULL OR cardinality(leaf_hashes) = cardinality(event_ids)))
);
-- Ids and hashes are random bytes: compressing them only costs the writer CPU.
ALTER TABLE log_queue ALTER COLUMN event_ids SET STORAGE EXTERNAL,
                      ALTER COLUMN leaf_hashes SET STORAGE EXTERNAL;

-- The leaves: which event each is, and its hash. Never deleted: a purged event stays in the tree
-- as its hash.
CREATE TABLE log_leaves (
    leaf_index     bigint      PRIMARY KEY,
    event_id       uuid        NOT NULL,
    event_date     date        NOT NULL,
    leaf_hash      bytea       NOT NULL,
    queued_at      timestamptz NOT NULL,
    integrated_at  timestamptz NOT NULL
);
CREATE INDEX log_leaves_event_idx ON log_leaves (event_id);

-- The tree above the leaves, stored only every 8 levels (levels 8, 16, …: the hashes of C2SP
-- tlog-tiles' level 1, 2, … tiles): level L holds the node over leaves
-- [node_index * 2^L, (node_index + 1) * 2^L). Any node in between is the hash of at most 128
-- stored hashes below it, computed when a proof needs it — one row per 256 leaves instead of one
-- per leaf, which is most of what the log costs ingest (docs/BENCHMARKS.md §8).
CREATE TABLE log_nodes (
    level       smallint NOT NULL CHECK (level > 0 AND level % 8 = 0),
    node_index  bigint   NOT NULL,
    hash        bytea    NOT NULL,
    PRIMARY KEY (level, node_index)
);

-- One row: the tree's size, its origin (the log's name in checkpoints) and the latest signed
-- checkpoint. Integrators take this row's lock, so several instances integrate one at a time.
CREATE TABLE log_state (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    origin      text    NOT NULL,
    tree_size   bigint  NOT NULL DEFAULT 0,
    checkpoint  text
);
INSERT INTO log_state (origin) VALUES ('auditflow.log/' || gen_random_uuid());

-- Events stored before the log existed enter it first, in the order they were received, a
-- thousand per queue row.
INSERT INTO log_queue (event_ids, event_dates, queued_at)
SELECT array_agg(event_id ORDER BY n), array_agg(event_date ORDER BY n), max(received_at)
FROM (SELECT event_id, event_date, received_at,
             row_number() OVER (ORDER BY received_at, correlation_id, chain_position) - 1 AS n
      FROM audit_events) AS stored
GROUP BY n / 1000
ORDER BY n / 1000;
