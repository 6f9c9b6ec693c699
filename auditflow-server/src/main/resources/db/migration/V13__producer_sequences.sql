-- Provable completeness (docs/COMPLETENESS.md). An event may carry its producer's numbering:
-- producer_id, the producer's epoch (one store lifetime), and its sequence number in that epoch.
-- The columns are NULL for every row stored before they existed and for producers that send none;
-- the canonical form omits them when NULL, so older chains verify unchanged.
ALTER TABLE audit_events
    ADD COLUMN producer_id text,
    ADD COLUMN producer_epoch uuid,
    ADD COLUMN producer_seq bigint;

-- One row per producer epoch, kept in the transaction that stores its events or declarations.
-- principal is who wrote the epoch's first event or declaration: only it may write more for the
-- epoch. highest_seq is the highest number accounted for; closed_last_seq the epoch's end, from
-- the producer's epoch-closed marker.
CREATE TABLE producer_epochs (
    producer_id     text        NOT NULL,
    epoch           uuid        NOT NULL,
    principal       text,
    first_seen      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    highest_seq     bigint      NOT NULL DEFAULT 0,
    closed_last_seq bigint,
    closed_at       timestamptz,
    PRIMARY KEY (producer_id, epoch)
);
CREATE INDEX producer_epochs_last_seen_idx ON producer_epochs (last_seen);

-- The sequence numbers accounted for, as ranges: 'stored', or the reason a declaration gives.
-- A gap is a number below the epoch's highest that no range covers; recorded_at dates when a
-- number after it was first accounted, which is when the gap was first seen.
CREATE TABLE producer_ranges (
    producer_id text        NOT NULL,
    epoch       uuid        NOT NULL,
    first_seq   bigint      NOT NULL,
    last_seq    bigint      NOT NULL,
    kind        text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (producer_id, epoch, first_seq, kind),
    CHECK (first_seq >= 1 AND last_seq >= first_seq)
);
