package dev.auditflow.server.testing;

import java.sql.SQLException;

/**
 * Turns a store this version wrote into the store an earlier version would have written with the
 * same requests, so that migration tests start from what an upgrade meets. Each step is the exact
 * inverse of one migration; the service must not write meanwhile.
 */
public final class EarlierStores {
  private EarlierStores() {}

  /**
   * The store as V19 left it: no counts of events per value, V6's partition drop under its own name —
   * and V20 not applied.
   */
  public static void beforeV20(String jdbcUrl) throws SQLException {
    Superuser.execute(jdbcUrl,
        "DROP TRIGGER audit_events_counted_in ON audit_events",
        "DROP TRIGGER audit_events_counted_out ON audit_events",
        "DROP FUNCTION auditflow_count_events(), auditflow_fold_event_counts(), auditflow_event_counts_delta(text, integer)",
        "DROP TABLE audit_event_counts",
        "DROP FUNCTION auditflow_drop_purged_partition(text)",
        "ALTER FUNCTION auditflow_drop_uncounted_partition(text) RENAME TO auditflow_drop_purged_partition",
        "GRANT EXECUTE ON FUNCTION auditflow_drop_purged_partition(text) TO PUBLIC",
        "DELETE FROM flyway_schema_history WHERE version = '20'");
  }

  /** The store as V18 left it: no placement of partitions on shards — and V19 not applied. */
  public static void beforeV19(String jdbcUrl) throws SQLException {
    beforeV20(jdbcUrl);
    Superuser.execute(jdbcUrl, "DROP TABLE shard_partitions, shard_logs",
        "DELETE FROM flyway_schema_history WHERE version = '19'");
  }

  /**
   * The store as V17 left it: every leaf a log_leaves row, queued requests in a log_queue table,
   * no batch links in audit_event_ids — and neither V18 nor anything after it applied.
   */
  public static void beforeV18(String jdbcUrl) throws SQLException {
    beforeV19(jdbcUrl);
    Superuser.execute(jdbcUrl,
        "DROP VIEW log_queue, log_tree_leaves",
        """
        INSERT INTO log_leaves (leaf_index, event_id, event_date, leaf_hash, queued_at, integrated_at)
        SELECT b.first_leaf + l.k - 1, l.e, l.d, substring(b.leaf_hashes_packed FROM 32 * (l.k::int - 1) + 1 FOR 32),
               b.queued_at, b.integrated_at
        FROM log_batches b, unnest(b.event_ids, b.event_dates) WITH ORDINALITY AS l(e, d, k)
        WHERE b.first_leaf IS NOT NULL
        """,
        "DELETE FROM log_batches WHERE first_leaf IS NOT NULL",
        "DROP INDEX log_batches_first_leaf_idx, log_batches_queued_idx",
        "ALTER TABLE log_batches DROP CONSTRAINT log_batches_integrated, DROP CONSTRAINT log_batches_linked_hashed",
        """
        UPDATE log_batches SET leaf_hashes = ARRAY(SELECT substring(leaf_hashes_packed FROM 32 * k + 1 FOR 32)
                                                   FROM generate_series(0, cardinality(event_ids) - 1) AS k)
        WHERE events_linked
        """,
        """
        ALTER TABLE log_batches DROP COLUMN first_leaf, DROP COLUMN integrated_at, DROP COLUMN events_linked,
            DROP COLUMN leaf_hashes_packed
        """,
        "ALTER TABLE log_batches RENAME CONSTRAINT log_batches_pkey TO log_queue_pkey",
        "ALTER SEQUENCE log_batches_seq_seq RENAME TO log_queue_seq_seq",
        "ALTER TABLE log_batches RENAME TO log_queue",
        "ALTER TABLE audit_event_ids DROP COLUMN log_batch, DROP COLUMN log_position",
        "DELETE FROM flyway_schema_history WHERE version = '18'");
  }
}
