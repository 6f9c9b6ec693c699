package dev.auditflow.server.hold;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.ServerVocabulary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Legal holds by correlation: while a hold is active no event of that correlation is purged —
 * those stored before it and those arriving after it. The database enforces it (the purge's
 * delete trigger and partition drop both check {@code legal_holds}); placing a hold waits for a
 * purge transaction under way, so a hold never counts events that are being deleted.
 */
public final class LegalHolds {
  /** An active hold and how many events it keeps now. */
  public record Hold(String correlationId, long eventsAffected, String placedBy, Instant placedAt, String reason) {}

  /** A released hold. */
  public record Release(String correlationId, long eventsReleased, String releasedBy, Instant releasedAt,
      String reason) {}

  public static final String EVENT_PLACED = ServerVocabulary.TYPE_PREFIX + "legal_hold.placed";
  public static final String EVENT_RELEASED = ServerVocabulary.TYPE_PREFIX + "legal_hold.released";

  private final Database database;
  private final AuditTrail trail;
  private final Clock clock;

  public LegalHolds(Database database, AuditTrail trail, Clock clock) {
    this.database = database;
    this.trail = trail;
    this.clock = clock;
  }

  /**
   * Places a hold.
   *
   * @throws NotFoundException when the correlation has no events
   * @throws ConflictException when it is already held
   */
  public Hold place(String correlationId, String reason, ServerRecord.Actor by) {
    Instant now = Timestamps.normalize(clock.instant());
    return trail.appendWith("placing a legal hold", now, (tx, events) -> {
      lockAgainstPurge(tx);
      long held = events.countChain(correlationId);
      if (held == 0) {
        throw new NotFoundException("no events with correlation_id " + correlationId);
      }
      try (PreparedStatement ps = tx.prepareStatement("INSERT INTO legal_holds (hold_id, correlation_id, reason,"
          + " placed_by, placed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (correlation_id) WHERE released_at IS NULL"
          + " DO NOTHING")) {
        ps.setObject(1, UuidV7.generate());
        ps.setString(2, correlationId);
        ps.setString(3, reason);
        ps.setString(4, by.id());
        ps.setObject(5, now.atOffset(ZoneOffset.UTC));
        if (ps.executeUpdate() == 0) {
          Placed existing = placed(tx, correlationId).get(0);
          throw new ConflictException("correlation_id " + correlationId + " is already under a legal hold, placed by "
              + existing.placedBy() + " at " + existing.placedAt());
        }
      }
      events.append(List.of(record(EVENT_PLACED, "place", correlationId, now, by,
          Map.of("correlation_id", correlationId, "reason", reason, "events_affected", held))), by.id());
      return new Hold(correlationId, held, by.id(), now, reason);
    });
  }

  /**
   * Releases the active hold of a correlation.
   *
   * @throws NotFoundException when there is none
   */
  public Release release(String correlationId, String reason, ServerRecord.Actor by) {
    Instant now = Timestamps.normalize(clock.instant());
    return trail.appendWith("releasing a legal hold", now, (tx, events) -> {
      try (PreparedStatement ps = tx.prepareStatement("UPDATE legal_holds SET released_by = ?, released_at = ?,"
          + " release_reason = ? WHERE correlation_id = ? AND released_at IS NULL")) {
        ps.setString(1, by.id());
        ps.setObject(2, now.atOffset(ZoneOffset.UTC));
        ps.setString(3, reason);
        ps.setString(4, correlationId);
        if (ps.executeUpdate() == 0) {
          throw new NotFoundException("no active legal hold on correlation_id " + correlationId);
        }
      }
      long released = events.countChain(correlationId);
      events.append(List.of(record(EVENT_RELEASED, "release", correlationId, now, by,
          Map.of("correlation_id", correlationId, "release_reason", reason, "events_released", released))), by.id());
      return new Release(correlationId, released, by.id(), now, reason);
    });
  }

  /** Every active hold, oldest first, with how many events each keeps now. */
  public List<Hold> active() {
    List<Placed> placed;
    try (Connection c = database.readConnection()) {
      placed = placed(c, null);
    } catch (SQLException e) {
      throw database.readFailure("listing legal holds", e);
    }
    Map<String, Long> events = trail.countChains(placed.stream().map(Placed::correlationId).toList());
    return placed.stream().map(p -> new Hold(p.correlationId(), events.getOrDefault(p.correlationId(), 0L), p.placedBy(),
        p.placedAt(), p.reason())).toList();
  }

  private record Placed(String correlationId, String placedBy, Instant placedAt, String reason) {}

  /** The active holds, or the one of {@code correlationId} when it is not null. */
  private static List<Placed> placed(Connection c, String correlationId) throws SQLException {
    List<Placed> placed = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT correlation_id, placed_by, placed_at, reason FROM legal_holds"
        + " WHERE released_at IS NULL AND (?::text IS NULL OR correlation_id = ?) ORDER BY placed_at, correlation_id")) {
      ps.setString(1, correlationId);
      ps.setString(2, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          placed.add(new Placed(rs.getString("correlation_id"), rs.getString("placed_by"),
              rs.getObject("placed_at", OffsetDateTime.class).toInstant(), rs.getString("reason")));
        }
      }
    }
    return placed;
  }

  /**
   * The audit event of placing or releasing a hold, written in the same transaction: chain
   * {@code legal-hold:<correlation_id>} holds a correlation's whole hold history.
   */
  private static AuditEvent record(String type, String action, String correlationId, Instant now,
      ServerRecord.Actor by, Map<String, ?> data) {
    return new ServerRecord(type, action, ServerVocabulary.HOLD_CHAIN_PREFIX + correlationId, by,
        new ServerRecord.Resource("correlation", correlationId), data).toEvent(now);
  }

  /** Waits for a purge transaction in progress (it holds SHARE on legal_holds), and keeps the next from starting. */
  private static void lockAgainstPurge(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE legal_holds IN SHARE ROW EXCLUSIVE MODE");
    }
  }
}
