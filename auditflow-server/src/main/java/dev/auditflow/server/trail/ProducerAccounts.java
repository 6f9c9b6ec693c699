package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads producer epochs' accounts: the epochs' rows and their ranges ({@link EpochLedger}), swept
 * into counts and gaps.
 */
final class ProducerAccounts {
  private static final String EPOCH_COLUMNS =
      "producer_id, epoch, principal, first_seen, last_seen, highest_seq, issued_seq, closed_last_seq, closed_at";

  private ProducerAccounts() {}

  /** Epochs last seen at or after {@code since} (any when null), of one producer or all, newest first. */
  static List<EpochLedger> list(Connection c, Instant since, String producerId, int limit) throws SQLException {
    List<EpochLedger> epochs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + EPOCH_COLUMNS + " FROM producer_epochs"
        + " WHERE (?::timestamptz IS NULL OR last_seen >= ?) AND (?::text IS NULL OR producer_id = ?)"
        + " ORDER BY last_seen DESC, producer_id, epoch LIMIT " + limit)) {
      OffsetDateTime from = since == null ? null : since.atOffset(java.time.ZoneOffset.UTC);
      ps.setObject(1, from);
      ps.setObject(2, from);
      ps.setString(3, producerId);
      ps.setString(4, producerId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          epochs.add(epoch(rs));
        }
      }
    }
    return withRanges(c, epochs);
  }

  /** These epochs, those this database has any part of. */
  static List<EpochLedger> of(Connection c, Collection<EpochLedger.Key> keys) throws SQLException {
    List<EpochLedger> epochs = new ArrayList<>();
    if (keys.isEmpty()) {
      return epochs;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT " + EPOCH_COLUMNS.replaceAll("(\\w+)", "p.$1")
        + " FROM producer_epochs p JOIN unnest(?::text[], ?::uuid[]) AS k(producer_id, epoch)"
        + " ON p.producer_id = k.producer_id AND p.epoch = k.epoch")) {
      ps.setArray(1, c.createArrayOf("text", keys.stream().map(EpochLedger.Key::producerId).toArray()));
      ps.setArray(2, c.createArrayOf("uuid", keys.stream().map(EpochLedger.Key::epoch).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          epochs.add(epoch(rs));
        }
      }
    }
    return withRanges(c, epochs);
  }

  private static EpochLedger epoch(ResultSet rs) throws SQLException {
    OffsetDateTime closedAt = rs.getObject("closed_at", OffsetDateTime.class);
    return new EpochLedger(rs.getString("producer_id"), rs.getObject("epoch", UUID.class), rs.getString("principal"),
        rs.getObject("first_seen", OffsetDateTime.class).toInstant(),
        rs.getObject("last_seen", OffsetDateTime.class).toInstant(), rs.getLong("highest_seq"),
        rs.getLong("issued_seq"), (Long) rs.getObject("closed_last_seq"), closedAt == null ? null : closedAt.toInstant(),
        List.of());
  }

  /** The listed epochs with their ranges, read in one query. */
  private static List<EpochLedger> withRanges(Connection c, List<EpochLedger> epochs) throws SQLException {
    if (epochs.isEmpty()) {
      return List.of();
    }
    Map<EpochLedger.Key, List<EpochLedger.Range>> ranges = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT r.producer_id, r.epoch, r.first_seq, r.last_seq, r.kind, r.recorded_at FROM producer_ranges r"
            + " JOIN unnest(?::text[], ?::uuid[]) AS e(producer_id, epoch)"
            + " ON r.producer_id = e.producer_id AND r.epoch = e.epoch ORDER BY r.first_seq")) {
      ps.setArray(1, c.createArrayOf("text", epochs.stream().map(EpochLedger::producerId).toArray()));
      ps.setArray(2, c.createArrayOf("uuid", epochs.stream().map(EpochLedger::epoch).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ranges.computeIfAbsent(new EpochLedger.Key(rs.getString(1), rs.getObject(2, UUID.class)),
              k -> new ArrayList<>()).add(new EpochLedger.Range(rs.getLong(3), rs.getLong(4), rs.getString(5),
              rs.getObject(6, OffsetDateTime.class).toInstant()));
        }
      }
    }
    List<EpochLedger> whole = new ArrayList<>(epochs.size());
    for (EpochLedger e : epochs) {
      whole.add(new EpochLedger(e.producerId(), e.epoch(), e.principal(), e.firstSeen(), e.lastSeen(), e.highestSeq(),
          e.issuedSeq(), e.closedLastSeq(), e.closedAt(), ranges.getOrDefault(e.key(), List.of())));
    }
    return whole;
  }
}
