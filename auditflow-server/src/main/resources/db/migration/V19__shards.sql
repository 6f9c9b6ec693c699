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

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        EXECUTE format('GRANT SELECT ON %I.shard_partitions TO auditflow_writer', current_schema());
    END IF;
END
$$;
