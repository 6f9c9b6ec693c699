package dev.auditflow.server.trail;

import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.verify.SequenceAccounts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Reads producer epochs' accounts: the epochs' rows, and their ranges swept into counts and gaps. */
final class ProducerAccounts {
  private record Epoch(String producerId, UUID epoch, String principal, Instant firstSeen, Instant lastSeen,
      long highestSeq, long issuedSeq, Long closedLastSeq, Instant closedAt) {}

  private record Range(long first, long last, String kind, Instant recordedAt) {}

  private static final String EPOCH_COLUMNS =
      "producer_id, epoch, principal, first_seen, last_seen, highest_seq, issued_seq, closed_last_seq, closed_at";

  private ProducerAccounts() {}

  /** Epochs last seen at or after {@code since} (any when null), of one producer or all, newest first. */
  static List<ProducerEpochAccount> list(Connection c, Instant since, String producerId, int limit) throws SQLException {
    List<Epoch> epochs = new ArrayList<>();
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

  static List<ProducerEpochAccount> one(Connection c, String producerId, UUID epoch) throws SQLException {
    List<Epoch> epochs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + EPOCH_COLUMNS + " FROM producer_epochs"
        + " WHERE producer_id = ? AND epoch = ?")) {
      ps.setString(1, producerId);
      ps.setObject(2, epoch);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          epochs.add(epoch(rs));
        }
      }
    }
    return withRanges(c, epochs);
  }

  private static Epoch epoch(ResultSet rs) throws SQLException {
    OffsetDateTime closedAt = rs.getObject("closed_at", OffsetDateTime.class);
    return new Epoch(rs.getString("producer_id"), rs.getObject("epoch", UUID.class), rs.getString("principal"),
        rs.getObject("first_seen", OffsetDateTime.class).toInstant(),
        rs.getObject("last_seen", OffsetDateTime.class).toInstant(), rs.getLong("highest_seq"),
        rs.getLong("issued_seq"), (Long) rs.getObject("closed_last_seq"), closedAt == null ? null : closedAt.toInstant());
  }

  /** Reads the listed epochs' ranges in one query and sweeps each epoch's into its accounts. */
  private static List<ProducerEpochAccount> withRanges(Connection c, List<Epoch> epochs) throws SQLException {
    if (epochs.isEmpty()) {
      return List.of();
    }
    Map<String, List<Range>> ranges = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT r.producer_id, r.epoch, r.first_seq, r.last_seq, r.kind, r.recorded_at FROM producer_ranges r"
            + " JOIN unnest(?::text[], ?::uuid[]) AS e(producer_id, epoch)"
            + " ON r.producer_id = e.producer_id AND r.epoch = e.epoch ORDER BY r.first_seq")) {
      ps.setArray(1, c.createArrayOf("text", epochs.stream().map(Epoch::producerId).toArray()));
      ps.setArray(2, c.createArrayOf("uuid", epochs.stream().map(Epoch::epoch).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ranges.computeIfAbsent(key(rs.getString(1), rs.getObject(2, UUID.class)), k -> new ArrayList<>())
              .add(new Range(rs.getLong(3), rs.getLong(4), rs.getString(5),
                  rs.getObject(6, OffsetDateTime.class).toInstant()));
        }
      }
    }
    List<ProducerEpochAccount> accounts = new ArrayList<>(epochs.size());
    for (Epoch e : epochs) {
      accounts.add(sweep(e, ranges.getOrDefault(key(e.producerId(), e.epoch()), List.of())));
    }
    return accounts;
  }

  private static String key(String producerId, UUID epoch) {
    return producerId + "\u0000" + epoch;
  }

  /** Sweeps the ranges into counts and gaps ({@link SequenceAccounts}), dating each gap. */
  private static ProducerEpochAccount sweep(Epoch e, List<Range> ranges) {
    long end = e.closedLastSeq() != null ? e.closedLastSeq() : e.highestSeq();
    List<SequenceAccounts.Range> stored = new ArrayList<>();
    Map<String, List<SequenceAccounts.Range>> declared = new TreeMap<>();
    for (Range r : ranges) {
      SequenceAccounts.Range range = new SequenceAccounts.Range(r.first(), r.last());
      if (Declaration.STORED.equals(r.kind())) {
        stored.add(range);
      } else {
        declared.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(range);
      }
    }
    SequenceAccounts.Summary summary = SequenceAccounts.of(stored, declared, end);
    List<ProducerEpochAccount.Gap> gaps = summary.gaps().stream().map(g -> gap(g, ranges, e)).toList();
    return new ProducerEpochAccount(e.producerId(), e.epoch(), e.principal(), e.firstSeen(), e.lastSeen(), e.highestSeq(),
        e.issuedSeq(), e.closedLastSeq(), e.closedAt(), summary.stored(), summary.declared(), gaps);
  }

  /** A gap is first seen when a number after it was first accounted for, or when the epoch closed past it. */
  private static ProducerEpochAccount.Gap gap(SequenceAccounts.Range g, List<Range> ranges, Epoch e) {
    Instant seen = ranges.stream().filter(r -> r.first() > g.last()).map(Range::recordedAt).min(Instant::compareTo)
        .orElse(e.closedAt() != null ? e.closedAt() : e.lastSeen());
    return new ProducerEpochAccount.Gap(g.first(), g.last(), seen);
  }
}
