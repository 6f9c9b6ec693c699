-- Where each Kafka partition's events are stored when the trail spans several PostgreSQL
-- databases (docs/SCALE.md, "Shards"). Kept in the catalog (the home database), read at start.
-- No rows for a topic: one database holds the whole trail, as before.
CREATE TABLE shard_partitions (
    topic       text        NOT NULL,
    partition   integer     NOT NULL CHECK (partition >= 0),
    -- 'home' is the catalog itself; other names are given a JDBC URL in each node's configuration.
    shard       text        NOT NULL CHECK (shard ~ '^[a-z][a-z0-9-]{0,31}$'),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition)
);

-- The root log's memory of each shard's log (docs/SCALE.md, "One log per shard, and a root"): the
-- last checkpoint it took as a leaf, and the record that carries it. A shard's next checkpoint is
-- taken only if it is consistent with this one; the row moves by compare-and-set, so two nodes
-- never take the same checkpoint twice.
CREATE TABLE shard_logs (
    shard       text        PRIMARY KEY,
    origin      text        NOT NULL,
    tree_size   bigint      NOT NULL CHECK (tree_size >= 0),
    root_hash   bytea       NOT NULL CHECK (length(root_hash) = 32),
    checkpoint  text        NOT NULL,
    record_id   uuid        NOT NULL,
    taken_at    timestamptz NOT NULL
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT ON %I.shard_partitions TO auditflow_writer', current_schema());
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I.shard_logs TO auditflow_writer', current_schema());
    END IF;
END
$$;
