package dev.auditflow.server.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A partition's stored offset and the records a writer could not store (V16, docs/SCALE.md),
 * written in the transaction that stores the partition's events.
 */
public final class PartitionLedger {
  private PartitionLedger() {}

  /** A partition's stored offset: where writers resume, and who moved it last, when. */
  record Stored(long nextOffset, String writer, Instant updatedAt) {}

  /** A record a writer kept instead of storing it, without its bytes. */
  public record Rejection(int partition, long offset, UUID eventId, String ingestedBy, String reason, String detail,
      Instant rejectedAt) {}

  /** How many records of a topic were rejected, and the most recent of them. */
  public record Rejections(long total, List<Rejection> recent) {}

  /** Every partition of a topic a writer has claimed, by partition. */
  static Map<Integer, Stored> all(Connection c, String topic) throws SQLException {
    Map<Integer, Stored> stored = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT partition, next_offset, writer, updated_at FROM ingest_offsets WHERE topic = ?")) {
      ps.setString(1, topic);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.put(rs.getInt(1), new Stored(rs.getLong(2), rs.getString(3),
              rs.getObject(4, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return stored;
  }

  /** The topic's rejected records, newest first, at most {@code limit}. */
  static Rejections rejections(Connection c, String topic, int limit) throws SQLException {
    long total;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM ingest_rejections WHERE topic = ?")) {
      ps.setString(1, topic);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        total = rs.getLong(1);
      }
    }
    List<Rejection> recent = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT partition, record_offset, event_id, ingested_by, reason,"
        + " detail, rejected_at FROM ingest_rejections WHERE topic = ?"
        + " ORDER BY rejected_at DESC, partition, record_offset DESC LIMIT ?")) {
      ps.setString(1, topic);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          recent.add(new Rejection(rs.getInt(1), rs.getLong(2), rs.getObject(3, UUID.class), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return new Rejections(total, List.copyOf(recent));
  }

  /** The next offset to store for a partition (0 the first time it is asked for), committing a new row at once. */
  static long next(Connection c, String topic, int partition) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ingest_offsets (topic, partition) VALUES (?, ?)"
        + " ON CONFLICT DO NOTHING")) {
      ps.setString(1, topic);
      ps.setInt(2, partition);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT next_offset FROM ingest_offsets WHERE topic = ? AND partition = ?")) {
      ps.setString(1, topic);
      ps.setInt(2, partition);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Moves a partition's offset from {@code expected} to {@code next}, and holds its row until the
   * transaction ends; false — nothing moved — when the offset is no longer {@code expected}:
   * another writer stored these records, and this one must not.
   */
  static boolean advance(Connection c, String topic, int partition, long expected, long next, String writer)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE ingest_offsets SET next_offset = ?, writer = ?,"
        + " updated_at = now() WHERE topic = ? AND partition = ? AND next_offset = ?")) {
      ps.setLong(1, next);
      ps.setString(2, writer);
      ps.setString(3, topic);
      ps.setInt(4, partition);
      ps.setLong(5, expected);
      return ps.executeUpdate() == 1;
    }
  }

  /** Keeps a record the writer could not store, and why. */
  static void reject(Connection c, String topic, int partition, long offset, UUID eventId, String ingestedBy,
      String reason, String detail, byte[] record, Instant at) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ingest_rejections (topic, partition, record_offset,"
        + " event_id, ingested_by, reason, detail, record, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT DO NOTHING")) {
      ps.setString(1, topic);
      ps.setInt(2, partition);
      ps.setLong(3, offset);
      ps.setObject(4, eventId);
      ps.setString(5, ingestedBy);
      ps.setString(6, reason);
      ps.setString(7, detail);
      ps.setBytes(8, record);
      ps.setObject(9, at.atOffset(ZoneOffset.UTC));
      ps.executeUpdate();
    }
  }
}
