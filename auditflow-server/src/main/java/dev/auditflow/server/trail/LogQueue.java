package dev.auditflow.server.trail;

import dev.auditflow.api.log.MerkleHashes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The writers' side of the log: a request's events enter {@code log_batches} — one row, their keys
 * in arrays and their leaf hashes packed in one value — in the transaction that stores them, so an event is queued exactly
 * when it is committed, and the integrator, running after commit, is the only one who assigns
 * leaf indices (it gives the row its first one). The batch's number is drawn first, so that each
 * event's id row names its batch and place ({@code audit_event_ids.log_batch, log_position}):
 * that is how an event's leaf is found, with no per-event row in the log.
 */
final class LogQueue {
  private static final String NEXT_BATCH = "SELECT nextval('log_batches_seq_seq')";
  private static final String ENQUEUE =
      """
      INSERT INTO log_batches (seq, event_ids, event_dates, leaf_hashes_packed) OVERRIDING SYSTEM VALUE
      VALUES (?, ?::uuid[], ?::date[], ?)
      """;

  private final boolean enabled;

  public LogQueue(boolean enabled) {
    this.enabled = enabled;
  }

  /** The number of the batch the caller's events will be queued in; null when the log is off. */
  public Long nextBatch(Connection c) throws SQLException {
    if (!enabled) {
      return null;
    }
    try (PreparedStatement ps = c.prepareStatement(NEXT_BATCH); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Queues the leaves as batch {@code batch} ({@link #nextBatch}), in the caller's open
   * transaction; leaf k is the event at {@code log_position} k.
   */
  public void enqueue(Connection c, Long batch, List<QueuedLeaf> leaves) throws SQLException {
    if (batch == null || leaves.isEmpty()) {
      return;
    }
    int n = leaves.size();
    Object[] ids = new Object[n];
    Object[] dates = new Object[n];
    byte[] hashes = new byte[n * MerkleHashes.SIZE];
    for (int i = 0; i < n; i++) {
      QueuedLeaf leaf = leaves.get(i);
      ids[i] = leaf.eventId();
      dates[i] = leaf.eventDate().toString();
      System.arraycopy(leaf.leafHash(), 0, hashes, i * MerkleHashes.SIZE, MerkleHashes.SIZE);
    }
    try (PreparedStatement ps = c.prepareStatement(ENQUEUE)) {
      ps.setLong(1, batch);
      ps.setArray(2, c.createArrayOf("uuid", ids));
      ps.setArray(3, c.createArrayOf("text", dates));
      ps.setBytes(4, hashes);
      ps.executeUpdate();
    }
  }
}
