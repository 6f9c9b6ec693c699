package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The writers' side of the log: a request's events enter {@code log_queue} — one row, their keys
 * and leaf hashes in arrays — in the transaction that stores them, so an event is queued exactly
 * when it is committed, and the integrator, running after commit, is the only one who assigns
 * leaf indices.
 */
final class LogQueue {
  private static final String ENQUEUE =
      "INSERT INTO log_queue (event_ids, event_dates, leaf_hashes) VALUES (?::uuid[], ?::date[], ?::bytea[])";

  private final boolean enabled;

  public LogQueue(boolean enabled) {
    this.enabled = enabled;
  }

  /** Queues the leaves as part of the caller's open transaction. */
  public void enqueue(Connection c, List<QueuedLeaf> leaves) throws SQLException {
    if (!enabled || leaves.isEmpty()) {
      return;
    }
    int n = leaves.size();
    Object[] ids = new Object[n];
    Object[] dates = new Object[n];
    byte[][] hashes = new byte[n][];
    for (int i = 0; i < n; i++) {
      QueuedLeaf leaf = leaves.get(i);
      ids[i] = leaf.eventId();
      dates[i] = leaf.eventDate().toString();
      hashes[i] = leaf.leafHash();
    }
    try (PreparedStatement ps = c.prepareStatement(ENQUEUE)) {
      ps.setArray(1, c.createArrayOf("uuid", ids));
      ps.setArray(2, c.createArrayOf("text", dates));
      ps.setArray(3, c.createArrayOf("bytea", hashes));
      ps.executeUpdate();
    }
  }
}
