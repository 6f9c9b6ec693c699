package dev.auditflow.server.trail;

import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.server.trail.TransparencyLog.Leaf;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The tree's leaves, where they are stored: a write request's events as one {@code log_batches}
 * row, leaf {@code first_leaf + k} being its k-th event; and, for leaves integrated before
 * batches existed (and rows queued before then), one {@code log_leaves} row each. Every read and
 * write of leaves goes through here, so the rest of the log sees one sequence of leaves.
 */
final class LogLeaves {
  /**
   * The rows holding leaves in the spans {@code [lo, hi)}: every batch that overlaps a span — the
   * last one starting at or before its start, and those starting inside it — each once, and
   * log_leaves rows as runs of one. LATERAL keeps every lookup an index descent, whatever the
   * planner knows of the tables. A batch's ids and dates only when asked for (the third
   * parameter): proofs and tiles need only hashes.
   */
  private static final String RUNS =
      """
      WITH spans AS (SELECT * FROM unnest(?::bigint[], ?::bigint[]) AS s(lo, hi)),
      firsts AS MATERIALIZED (
          SELECT DISTINCT f.first_leaf FROM spans CROSS JOIN LATERAL (
              SELECT first_leaf FROM log_batches
              WHERE first_leaf >= coalesce((SELECT max(first_leaf) FROM log_batches WHERE first_leaf <= spans.lo), 0)
                AND first_leaf < spans.hi) AS f),
      events AS (SELECT ?::boolean AS wanted)
      SELECT b.first_leaf, b.leaf_hashes_packed, CASE WHEN events.wanted THEN b.event_ids END,
             CASE WHEN events.wanted THEN b.event_dates END
      FROM events, firsts CROSS JOIN LATERAL (SELECT * FROM log_batches WHERE first_leaf = firsts.first_leaf) AS b
      UNION ALL
      SELECT l.leaf_index, l.leaf_hash, ARRAY[l.event_id], ARRAY[l.event_date]
      FROM spans CROSS JOIN LATERAL (SELECT * FROM log_leaves WHERE leaf_index >= spans.lo AND leaf_index < spans.hi) AS l
      """;

  /**
   * An event's leaf index, for a query whose row {@code alias} has the event's {@code event_id}
   * and {@code event_date}: through its id row's batch, or its log_leaves row (the newest, should
   * a store from before unique ids hold two). Null until integrated.
   */
  static String indexOf(String alias) {
    // The inner aliases are the log's own (log_id, log_batch, log_leaf), never one a caller uses.
    return "coalesce((SELECT log_batch.first_leaf + log_id.log_position FROM audit_event_ids log_id"
        + " JOIN log_batches log_batch ON log_batch.seq = log_id.log_batch WHERE log_id.event_id = " + alias + ".event_id),"
        + " (SELECT log_leaf.leaf_index FROM log_leaves log_leaf WHERE log_leaf.event_id = " + alias + ".event_id"
        + " AND log_leaf.event_date = " + alias + ".event_date ORDER BY log_leaf.leaf_index DESC LIMIT 1))";
  }

  private static final String INDEXES_OF =
      "SELECT ids.event_id, " + indexOf("ids") + " FROM audit_event_ids ids WHERE ids.event_id = ANY(?::uuid[])";

  private static final String INTEGRATE_BATCHES =
      """
      UPDATE log_batches b SET first_leaf = f.first_leaf, integrated_at = ?
      FROM unnest(?::bigint[], ?::bigint[]) AS f(seq, first_leaf) WHERE b.seq = f.seq
      """;

  private static final String INSERT_SINGLE_LEAVES =
      """
      INSERT INTO log_leaves (leaf_index, event_id, event_date, leaf_hash, queued_at, integrated_at)
      SELECT i, e, d, h, q, ? FROM unnest(?::bigint[], ?::uuid[], ?::date[], ?::bytea[], ?::timestamptz[]) AS t(i, e, d, h, q)
      """;

  private static final String DELETE_BATCHES = "DELETE FROM log_batches WHERE seq = ANY(?::bigint[])";

  private LogLeaves() {}

  /** Leaves {@code [start, end)} that are stored, in order. */
  static List<Leaf> range(Connection c, long start, long end) throws SQLException {
    List<Leaf> leaves = new ArrayList<>();
    for (Leaf leaf : read(c, List.of(new long[] {start, end}), true)) {
      if (leaf.index() >= start && leaf.index() < end) {
        leaves.add(leaf);
      }
    }
    leaves.sort((a, b) -> Long.compare(a.index(), b.index()));
    return leaves;
  }

  /** The hashes of the stored leaves among {@code indexes}, in one query. */
  static Map<Long, byte[]> hashes(Connection c, Collection<Long> indexes) throws SQLException {
    Map<Long, byte[]> hashes = new HashMap<>();
    if (indexes.isEmpty()) {
      return hashes;
    }
    TreeSet<Long> wanted = new TreeSet<>(indexes);
    for (Leaf leaf : read(c, spans(wanted), false)) {
      if (wanted.contains(leaf.index())) {
        hashes.put(leaf.index(), leaf.hash());
      }
    }
    return hashes;
  }

  /** Sorted indexes as the spans of consecutive ones, {@code [lo, hi)}. */
  private static List<long[]> spans(TreeSet<Long> sorted) {
    List<long[]> spans = new ArrayList<>();
    long[] open = null;
    for (long i : sorted) {
      if (open != null && open[1] == i) {
        open[1] = i + 1;
      } else {
        open = new long[] {i, i + 1};
        spans.add(open);
      }
    }
    return spans;
  }

  /** The stored leaves of the spans' rows (some beyond the spans); without their events unless {@code withEvents}. */
  private static List<Leaf> read(Connection c, List<long[]> spans, boolean withEvents) throws SQLException {
    List<Leaf> leaves = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(RUNS)) {
      ps.setArray(1, c.createArrayOf("int8", spans.stream().map(s -> s[0]).toArray(Long[]::new)));
      ps.setArray(2, c.createArrayOf("int8", spans.stream().map(s -> s[1]).toArray(Long[]::new)));
      ps.setBoolean(3, withEvents);
      ps.setFetchSize(64);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long first = rs.getLong(1);
          byte[] hashes = rs.getBytes(2);
          Array idArray = rs.getArray(3);
          Object[] ids = idArray == null ? null : (Object[]) idArray.getArray();
          Array dateArray = rs.getArray(4);
          Object[] dates = dateArray == null ? null : (Object[]) dateArray.getArray();
          for (int k = 0; k < hashes.length / MerkleHashes.SIZE; k++) {
            leaves.add(new Leaf(first + k, ids == null ? null : (UUID) ids[k],
                dates == null ? null : ((java.sql.Date) dates[k]).toLocalDate(),
                Arrays.copyOfRange(hashes, k * MerkleHashes.SIZE, (k + 1) * MerkleHashes.SIZE)));
          }
        }
      }
    }
    return leaves;
  }

  /** The leaf index of each of these events that has one (not yet integrated and unknown ones have none). */
  static Map<UUID, Long> indexesOf(Connection c, Collection<UUID> eventIds) throws SQLException {
    Map<UUID, Long> indexes = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(INDEXES_OF)) {
      ps.setArray(1, c.createArrayOf("uuid", eventIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long index = rs.getLong(2);
          if (!rs.wasNull()) {
            indexes.put(rs.getObject(1, UUID.class), index);
          }
        }
      }
    }
    return indexes;
  }

  /** Makes queued batches leaves: batch {@code seqs[i]} starts at leaf {@code firstLeaves[i]}. */
  static void integrateBatches(Connection c, List<Long> seqs, List<Long> firstLeaves, Instant now) throws SQLException {
    if (seqs.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(INTEGRATE_BATCHES)) {
      ps.setTimestamp(1, Timestamp.from(now));
      ps.setArray(2, c.createArrayOf("int8", seqs.toArray()));
      ps.setArray(3, c.createArrayOf("int8", firstLeaves.toArray()));
      ps.executeUpdate();
    }
  }

  /** A leaf stored as its own row, and when its event was queued. */
  record SingleLeaf(Leaf leaf, Instant queuedAt) {}

  /**
   * Stores leaves one row each — for batches queued before their events named them, whose rows
   * are then deleted — as the version that queued them would have.
   */
  static void integrateUnlinked(Connection c, List<SingleLeaf> leaves, Collection<Long> batches, Instant now)
      throws SQLException {
    if (!leaves.isEmpty()) {
      int n = leaves.size();
      Long[] indexes = new Long[n];
      Object[] ids = new Object[n];
      Object[] dates = new Object[n];
      byte[][] hashes = new byte[n][];
      Object[] queuedAt = new Object[n];
      for (int i = 0; i < n; i++) {
        Leaf leaf = leaves.get(i).leaf();
        indexes[i] = leaf.index();
        ids[i] = leaf.eventId();
        dates[i] = leaf.eventDate().toString();
        hashes[i] = leaf.hash();
        queuedAt[i] = Timestamp.from(leaves.get(i).queuedAt());
      }
      try (PreparedStatement ps = c.prepareStatement(INSERT_SINGLE_LEAVES)) {
        ps.setTimestamp(1, Timestamp.from(now));
        ps.setArray(2, c.createArrayOf("int8", indexes));
        ps.setArray(3, c.createArrayOf("uuid", ids));
        ps.setArray(4, c.createArrayOf("text", dates));
        ps.setArray(5, c.createArrayOf("bytea", hashes));
        ps.setArray(6, c.createArrayOf("timestamptz", queuedAt));
        ps.executeUpdate();
      }
    }
    if (!batches.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(DELETE_BATCHES)) {
        ps.setArray(1, c.createArrayOf("int8", batches.toArray()));
        ps.executeUpdate();
      }
    }
  }
}
