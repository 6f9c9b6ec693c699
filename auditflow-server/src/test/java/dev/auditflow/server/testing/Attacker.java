package dev.auditflow.server.testing;

import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.NodeId;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ChainHasher;
import dev.auditflow.server.trail.StoredEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A database superuser covering their tracks as well as they can without the signing key: an
 * event changed and its chain recomputed so that chain verification passes; then, optionally,
 * the log's own tables rewritten to match, leaving the server to sign the forged tree.
 */
public final class Attacker {
  private Attacker() {}

  /** Sets an event's {@code event_data} and recomputes its chain from it to the head (SHA-256 chains). */
  public static void rewriteEventAndChain(String jdbcUrl, UUID eventId, String eventDataJson) {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      disableTriggers(c);
      String correlationId;
      long position;
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE audit_events SET event_data = ?::jsonb WHERE event_id = ? RETURNING correlation_id, chain_position")) {
        ps.setString(1, eventDataJson);
        ps.setObject(2, eventId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          correlationId = rs.getString(1);
          position = rs.getLong(2);
        }
      }
      List<StoredEvent> chain = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT " + StoredEvent.COLUMNS + " FROM audit_events"
          + " WHERE correlation_id = ? AND chain_position >= ? ORDER BY chain_position")) {
        ps.setString(1, correlationId);
        ps.setLong(2, position);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            chain.add(StoredEvent.read(rs));
          }
        }
      }
      String previous = chain.get(0).previousEventHash();
      for (StoredEvent e : chain) {
        String hash = ChainHasher.sha256().hash(previous, CanonicalForm.of(e.event(), e.chainPosition(), e.eventDate(),
            e.receivedAt(), e.ingestedBy()));
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE audit_events SET previous_event_hash = ?, event_hash = ? WHERE event_id = ?")) {
          ps.setString(1, previous);
          ps.setString(2, hash);
          ps.setObject(3, e.event().eventId());
          ps.executeUpdate();
        }
        previous = hash;
      }
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE audit_chain_heads SET last_hash = ? WHERE correlation_id = ?")) {
        ps.setString(1, previous);
        ps.setString(2, correlationId);
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** As the owner can: the immutability triggers off for this session. */
  private static void disableTriggers(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
    }
    c.setAutoCommit(false);
  }

  /** A leaf of the stored log: the event it names and its hash. */
  public record Leaf(UUID eventId, java.time.LocalDate eventDate, java.sql.Timestamp queuedAt, byte[] hash) {}

  /**
   * Replaces the log's leaves with {@code change(leaves)} and recomputes every node, so that the
   * stored tree is self-consistent; clears the signed checkpoint, so that the server signs the
   * forged tree at its next round. What no one can forge is an old checkpoint's root.
   */
  public static void rewriteTree(String jdbcUrl, UnaryOperator<List<Leaf>> change) {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      disableTriggers(c);
      List<Leaf> leaves = new ArrayList<>();
      try (Statement s = c.createStatement()) {
        // Hold the integrators off, as they hold each other off: otherwise a round committing
        // between this read and the rewrite leaves a leaf beyond the forged tree's size.
        s.execute("SELECT 1 FROM log_state FOR UPDATE");
      }
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT event_id, event_date, queued_at, leaf_hash FROM log_tree_leaves ORDER BY leaf_index")) {
        while (rs.next()) {
          leaves.add(new Leaf(rs.getObject(1, UUID.class), rs.getObject(2, java.time.LocalDate.class),
              rs.getTimestamp(3), rs.getBytes(4)));
        }
      }
      List<Leaf> forged = change.apply(leaves);
      try (Statement s = c.createStatement()) {
        s.execute("DELETE FROM log_nodes");
        s.execute("DELETE FROM log_leaves");
        s.execute("DELETE FROM log_batches WHERE first_leaf IS NOT NULL");
      }
      CompactRange range = CompactRange.empty();
      try (PreparedStatement nodes = c.prepareStatement("INSERT INTO log_nodes VALUES (?, ?, ?)");
          PreparedStatement leafRows = c.prepareStatement("INSERT INTO log_leaves VALUES (?, ?, ?, ?, ?, now())")) {
        for (Leaf leaf : forged) {
          leafRows.setLong(1, range.size());
          leafRows.setObject(2, leaf.eventId());
          leafRows.setObject(3, leaf.eventDate());
          leafRows.setBytes(4, leaf.hash());
          leafRows.setTimestamp(5, leaf.queuedAt());
          leafRows.addBatch();
          range.append(leaf.hash(), (NodeId id, byte[] hash) -> {
            if (id.level() == 0 || id.level() % 8 != 0) {
              return; // as the log stores them: leaves as rows (one per leaf: the form it still reads), every eighth level in log_nodes
            }
            try {
              nodes.setShort(1, (short) id.level());
              nodes.setLong(2, id.index());
              nodes.setBytes(3, hash);
              nodes.addBatch();
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          });
        }
        nodes.executeBatch();
        leafRows.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE log_state SET tree_size = ?, checkpoint = NULL")) {
        ps.setLong(1, range.size());
        ps.executeUpdate();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
