-- Kafka mode (docs/SCALE.md). A writer stores a partition's records and moves the partition's
-- offset in one transaction: the offset says exactly which records are stored, so a writer that
-- restarts, or takes the partition over, resumes there — exactly once into the trail although
-- Kafka delivers at least once. The move is a compare-and-set on next_offset: a writer that lost
-- the partition in a rebalance, still writing the same records, finds the offset moved and rolls
-- back.
CREATE TABLE ingest_offsets (
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL DEFAULT 0,
    writer      text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition),
    CHECK (next_offset >= 0)
);

-- Records a writer could not store, each with why (its parent is not stored, its event_id names
-- another event, its producer epoch belongs to another principal, it is not an event at all):
-- an ingest node answered 201 for them before the writer could decide, so they are kept, named,
-- rather than dropped. Written in the transaction that moves the offset past them.
CREATE TABLE ingest_rejections (
    topic         text        NOT NULL,
    partition     integer     NOT NULL,
    record_offset bigint      NOT NULL,
    event_id      uuid,
    ingested_by   text,
    reason        text        NOT NULL,
    detail        text        NOT NULL,
    record        bytea       NOT NULL,
    rejected_at   timestamptz NOT NULL,
    PRIMARY KEY (topic, partition, record_offset)
);
