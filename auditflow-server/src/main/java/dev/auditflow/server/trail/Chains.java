package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads of the hash chains, on a connection the caller holds (a verification reads a chain, its
 * head and its purge records in one snapshot).
 */
final class Chains {
  private Chains() {}

  /** The chain's recorded head, or empty for a chain that never had an event. */
  static Optional<ChainHead> head(Connection c, String correlationId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT last_position, last_hash FROM audit_chain_heads WHERE correlation_id = ?")) {
      ps.setString(1, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new ChainHead(rs.getLong(1), rs.getString(2))) : Optional.empty();
      }
    }
  }

  /**
   * Hands the chain's stored events to {@code next} in chain order, a thousand rows fetched at a
   * time, until it returns false or the chain ends.
   */
  static void walk(Connection c, String correlationId, Predicate<StoredEvent> next) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + StoredEvent.COLUMNS
        + " FROM audit_events WHERE correlation_id = ? ORDER BY chain_position, event_id")) {
      ps.setString(1, correlationId);
      ps.setFetchSize(1_000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && next.test(StoredEvent.read(rs))) {
          // next says when to stop
        }
      }
    }
  }

  /** How many events of the chain are stored. */
  static long count(Connection c, String correlationId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_events WHERE correlation_id = ?")) {
      ps.setString(1, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** How many events each of {@code correlationIds} has stored; a chain without events is left out. */
  static Map<String, Long> count(Connection c, List<String> correlationIds) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    if (correlationIds.isEmpty()) {
      return counts;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT correlation_id, count(*) FROM audit_events WHERE correlation_id = ANY(?) GROUP BY correlation_id")) {
      ps.setArray(1, c.createArrayOf("text", correlationIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counts;
  }

  /** Up to {@code limit} chains with an event stamped in {@code [since, until)}, by id. */
  static List<String> withEventsIn(Connection c, Instant since, Instant until, int limit) throws SQLException {
    List<String> chains = new ArrayList<>();
    EventQuery range = new EventQuery().timeRange(since, until, false);
    try (PreparedStatement ps = range.prepare(c, "SELECT DISTINCT correlation_id FROM audit_events" + range.where()
        + " ORDER BY 1 LIMIT " + limit)) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chains.add(rs.getString(1));
        }
      }
    }
    return chains;
  }

  /**
   * Which of {@code correlationIds} are under an active legal hold. Holds are the features', but
   * the trail honours them (its purge and the database's delete trigger read them), so reading
   * them in a trail snapshot is reading the trail's own rule.
   */
  static Set<String> held(Connection c, Collection<String> correlationIds) throws SQLException {
    Set<String> held = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT correlation_id FROM legal_holds WHERE released_at IS NULL AND correlation_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", correlationIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          held.add(rs.getString(1));
        }
      }
    }
    return held;
  }
}
