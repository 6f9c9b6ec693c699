package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.failure.ConflictException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Keeps each producer epoch's accounts (docs/COMPLETENESS.md) in the transaction that stores the
 * events: the ranges of sequence numbers stored, those the producer declared it gave up on (by
 * reason), and the epoch's end. Because the accounts commit with the rows they are exact — a
 * retry's duplicates are not stored and so not accounted again, and a rolled-back request
 * accounts nothing; counts are computed from the ranges when read ({@link ProducerAccounts}), so
 * a number accounted twice (declared unknown, then stored after all) still counts once.
 *
 * <p>An epoch belongs to the principal that wrote its first event or declaration: numbered events
 * or declarations for it from anyone else are refused, so a writer cannot fill another producer's
 * gaps with events of its own, nor declare them away.
 */
final class ProducerLedger {
  /** A range of sequence numbers accounted for, and how. */
  private record Range(long first, long last, String kind) {}

  /** What one request adds to one epoch. */
  private static final class EpochDelta {
    final List<Range> ranges = new ArrayList<>();
    long highest;
    Long closedLastSeq;
    long issued;
    int firstIndex;
  }

  private record EpochKey(String producerId, UUID epoch) implements Comparable<EpochKey> {
    @Override
    public int compareTo(EpochKey o) {
      int byId = producerId.compareTo(o.producerId);
      return byId != 0 ? byId : epoch.compareTo(o.epoch);
    }
  }

  private static final String CLAIM =
      """
      INSERT INTO producer_epochs (producer_id, epoch, principal, first_seen, last_seen)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (producer_id, epoch) DO UPDATE SET last_seen = GREATEST(producer_epochs.last_seen, EXCLUDED.last_seen)
      RETURNING principal
      """;

  private static final String ADVANCE =
      """
      UPDATE producer_epochs SET highest_seq = GREATEST(highest_seq, ?), issued_seq = GREATEST(issued_seq, ?),
        closed_last_seq = coalesce(closed_last_seq, ?::bigint),
        closed_at = CASE WHEN ?::bigint IS NULL THEN closed_at ELSE coalesce(closed_at, ?) END
      WHERE producer_id = ? AND epoch = ?
      """;

  private static final String RANGES =
      """
      INSERT INTO producer_ranges (producer_id, epoch, first_seq, last_seq, kind, recorded_at)
      SELECT ?, ?, f, l, k, ? FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS r(f, l, k)
      ON CONFLICT DO NOTHING
      """;

  private ProducerLedger() {}

  /**
   * Accounts for a request's new events: numbered ones as stored, declarations and epoch-closed
   * markers as what they declare.
   *
   * @param fresh the events stored by this request (not its duplicates), in request order
   * @throws ConflictException when an epoch belongs to another principal; the request is rolled back
   */
  static void account(Connection c, List<AuditEvent> fresh, String ingestedBy, Instant receivedAt, long issued)
      throws SQLException {
    Map<EpochKey, EpochDelta> deltas = new TreeMap<>(); // key order: concurrent requests lock epochs alike
    for (int i = 0; i < fresh.size(); i++) {
      AuditEvent e = fresh.get(i);
      if (e.producerId() != null) {
        EpochDelta d = delta(deltas, new EpochKey(e.producerId(), e.producerEpoch()), i);
        d.highest = Math.max(d.highest, e.producerSeq());
        d.ranges.add(new Range(e.producerSeq(), e.producerSeq(), Declaration.STORED));
      } else {
        int index = i;
        Declaration.of(e).ifPresent(declaration -> add(delta(deltas,
            new EpochKey(declaration.producerId(), declaration.epoch()), index), declaration));
      }
    }
    if (deltas.size() == 1) {
      // The request's one epoch (the service refuses a mark on a request of several). When every
      // event was a duplicate there is no delta: the first attempt of this batch brought the mark.
      deltas.values().iterator().next().issued = issued;
    }
    for (Map.Entry<EpochKey, EpochDelta> entry : deltas.entrySet()) {
      write(c, entry.getKey(), entry.getValue(), ingestedBy, receivedAt);
    }
  }

  private static EpochDelta delta(Map<EpochKey, EpochDelta> deltas, EpochKey key, int index) {
    return deltas.computeIfAbsent(key, k -> {
      EpochDelta d = new EpochDelta();
      d.firstIndex = index;
      return d;
    });
  }

  private static void add(EpochDelta d, Declaration declaration) {
    if (declaration.closedLastSeq() != null) {
      d.closedLastSeq = declaration.closedLastSeq();
      d.highest = Math.max(d.highest, declaration.closedLastSeq());
    }
    for (Declaration.SeqRange r : declaration.ranges()) {
      d.ranges.add(new Range(r.first(), r.last(), declaration.reason()));
      d.highest = Math.max(d.highest, r.last());
    }
  }

  private static void write(Connection c, EpochKey key, EpochDelta d, String ingestedBy, Instant receivedAt)
      throws SQLException {
    var at = receivedAt.atOffset(ZoneOffset.UTC);
    String owner;
    try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
      ps.setString(1, key.producerId());
      ps.setObject(2, key.epoch());
      ps.setString(3, ingestedBy);
      ps.setObject(4, at);
      ps.setObject(5, at);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        owner = rs.getString(1);
      }
    }
    if (!Objects.equals(owner, ingestedBy)) {
      throw new ConflictException("event at index " + d.firstIndex + ": producer " + key.producerId() + " epoch "
          + key.epoch() + " belongs to " + (owner == null ? "an unauthenticated writer" : owner)
          + "; its events and declarations are accepted from that principal only");
    }
    try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setLong(1, d.highest);
      ps.setLong(2, d.issued);
      ps.setObject(3, d.closedLastSeq, java.sql.Types.BIGINT);
      ps.setObject(4, d.closedLastSeq, java.sql.Types.BIGINT);
      ps.setObject(5, at);
      ps.setString(6, key.producerId());
      ps.setObject(7, key.epoch());
      ps.executeUpdate();
    }
    List<Range> ranges = merged(d.ranges);
    try (PreparedStatement ps = c.prepareStatement(RANGES)) {
      ps.setString(1, key.producerId());
      ps.setObject(2, key.epoch());
      ps.setObject(3, at);
      ps.setArray(4, c.createArrayOf("bigint", ranges.stream().map(Range::first).toArray()));
      ps.setArray(5, c.createArrayOf("bigint", ranges.stream().map(Range::last).toArray()));
      ps.setArray(6, c.createArrayOf("text", ranges.stream().map(Range::kind).toArray()));
      ps.executeUpdate();
    }
  }

  /** Adjacent ranges of one kind as one: a batch of a hundred numbers in order is one row. */
  private static List<Range> merged(List<Range> ranges) {
    Map<String, List<Range>> byKind = new HashMap<>();
    ranges.forEach(r -> byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r));
    List<Range> merged = new ArrayList<>();
    byKind.forEach((kind, list) -> {
      list.sort((a, b) -> Long.compare(a.first(), b.first()));
      Range open = null;
      for (Range r : list) {
        if (open != null && r.first() <= open.last() + 1) {
          open = new Range(open.first(), Math.max(open.last(), r.last()), kind);
        } else {
          if (open != null) {
            merged.add(open);
          }
          open = r;
        }
      }
      merged.add(open);
    });
    return merged;
  }
}
