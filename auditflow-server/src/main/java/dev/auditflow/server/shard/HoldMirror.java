package dev.auditflow.server.shard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Legal holds reach the shards (docs/SCALE.md): holds are placed and released in the catalog, and a
 * shard's purge — its delete trigger and partition drops — reads the shard's own {@code
 * legal_holds}. Before a shard is purged, its table is made the catalog's active holds, while the
 * catalog's table is locked against new holds and releases until that shard's purge has committed:
 * a hold placed meanwhile waits, exactly as it waits for a purge on one database.
 */
final class HoldMirror {
  /** An active hold as the catalog keeps it. */
  record Hold(UUID holdId, String correlationId, String reason, String placedBy, OffsetDateTime placedAt) {}

  private HoldMirror() {}

  /**
   * Locks the catalog's holds against placing and releasing (SHARE: purges may read them too) for
   * the rest of {@code catalog}'s transaction, and reads the active ones.
   */
  static List<Hold> lockActive(Connection catalog) throws SQLException {
    try (Statement s = catalog.createStatement()) {
      // The transaction waits, idle, while the shard purges — longer than the pool's idle-in-transaction
      // limit for a large run, which would end it and release the lock before that purge commits.
      s.execute("SET LOCAL idle_in_transaction_session_timeout = 0");
      s.execute("LOCK TABLE legal_holds IN SHARE MODE");
    }
    List<Hold> active = new ArrayList<>();
    try (PreparedStatement ps = catalog.prepareStatement(
        "SELECT hold_id, correlation_id, reason, placed_by, placed_at FROM legal_holds WHERE released_at IS NULL");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        active.add(new Hold(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getObject(5, OffsetDateTime.class)));
      }
    }
    return active;
  }

  /**
   * Makes the shard's active holds exactly {@code active}: a hold the catalog no longer has active
   * is released here (the catalog keeps who released it and why), a missing one is added.
   */
  static void mirror(Connection shard, List<Hold> active) throws SQLException {
    try (PreparedStatement release = shard.prepareStatement("UPDATE legal_holds SET released_by = 'auditflow',"
        + " released_at = now(), release_reason = 'released in the catalog'"
        + " WHERE released_at IS NULL AND hold_id <> ALL(?::uuid[])")) {
      release.setArray(1, shard.createArrayOf("uuid", active.stream().map(Hold::holdId).toArray()));
      release.executeUpdate();
    }
    try (PreparedStatement add = shard.prepareStatement("INSERT INTO legal_holds (hold_id, correlation_id, reason,"
        + " placed_by, placed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (Hold hold : active) {
        add.setObject(1, hold.holdId());
        add.setString(2, hold.correlationId());
        add.setString(3, hold.reason());
        add.setString(4, hold.placedBy());
        add.setObject(5, hold.placedAt());
        add.addBatch();
      }
      add.executeBatch();
    }
  }
}
