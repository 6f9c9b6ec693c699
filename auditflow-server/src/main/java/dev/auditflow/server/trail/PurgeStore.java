package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The retention purge's statements, on connections the purge holds: which partitions and chains
 * hold expired events, the chains' positions and hashes, the deletions themselves (through the
 * functions of the migrations, which keep the chains' records), and the locks that keep a purge
 * from racing a legal hold or another purge. {@link Purger} decides; this stores.
 */
final class PurgeStore {
  /** The purge's advisory lock: one purger at a time, whatever the instance. */
  private static final long PURGE_LOCK = 0x6175647075726765L; // "audpurge"
  /** Chains taken per transaction of the row-by-row pass. */
  private static final int CHAINS_PER_TRANSACTION = 100;
  private static final DateTimeFormatter PARTITION_MONTH = DateTimeFormatter.ofPattern("'audit_events_'uuuu_MM");

  private PurgeStore() {}

  /** One chain's range that dropping a partition removes, with the hash that ends it. */
  public record PartitionRange(String correlationId, long from, long through, String lastHash, String lastAlgorithm) {}

  /** Where {@link #partitionRanges} hands each range. */
  @FunctionalInterface
  public interface RangeSink {
    void accept(PartitionRange range) throws SQLException;
  }

  /** Each chain's range in {@code partition}, as dropping it would remove them. */
  public static void partitionRanges(Connection c, String partition, RangeSink sink) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM auditflow_partition_purge_ranges(?)")) {
      ps.setString(1, partition);
      ps.setFetchSize(1_000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sink.accept(new PartitionRange(rs.getString("correlation_id"), rs.getLong("purged_from"),
              rs.getLong("purged_through"), rs.getString("last_hash"), rs.getString("last_algorithm")));
        }
      }
    }
  }

  /** Deletes positions {@code from..through} of {@code chain}; the number of rows deleted. */
  public static long purgeEvents(Connection c, String chain, long from, long through) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT auditflow_purge_events(?, ?, ?)")) {
      ps.setString(1, chain);
      ps.setLong(2, from);
      ps.setLong(3, through);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Partitions of months that ended before today (UTC), oldest first. */
  public static List<String> pastPartitions(Connection c, LocalDate today) throws SQLException {
    YearMonth current = YearMonth.from(today);
    List<String> past = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " WHERE i.inhparent = 'audit_events'::regclass ORDER BY c.relname");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString(1);
        try {
          if (YearMonth.parse(name, PARTITION_MONTH).isBefore(current)) {
            past.add(name);
          }
        } catch (DateTimeParseException notOurs) {
          // a partition named by someone else: leave it alone
        }
      }
    }
    return past;
  }

  /** The next chains (by id, after {@code after}) with expired events and no active hold. */
  public static List<String> candidates(Connection c, String after, LocalDate today) throws SQLException {
    List<String> chains = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT DISTINCT correlation_id FROM audit_events WHERE " + expiredOn(today) + " AND correlation_id > ?"
            + " AND correlation_id NOT IN (SELECT h.correlation_id FROM legal_holds h WHERE h.released_at IS NULL)"
            + " ORDER BY 1 LIMIT " + CHAINS_PER_TRANSACTION)) {
      ps.setString(1, after);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chains.add(rs.getString(1));
        }
      }
    }
    return chains;
  }

  /** Expired events kept by a hold. */
  public static long heldExpired(Connection c, LocalDate today) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM audit_events e JOIN legal_holds h ON h.correlation_id = e.correlation_id"
            + " AND h.released_at IS NULL WHERE " + expiredOn("e.", today))) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  public static boolean isEmpty(Connection c, String partition) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + quoteIdentifier(partition) + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  public static long countRows(Connection c, String partition) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quoteIdentifier(partition))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Partition names come from pg_class and match {@link #PARTITION_MONTH}; quoted all the same. */
  private static String quoteIdentifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  public static long dropPartition(Connection c, String partition) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT auditflow_drop_purged_partition(?)")) {
      ps.setString(1, partition);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The condition of an event expired on {@code today}: today by the server's clock, the one the
   * purge's record and report are stamped with, not the database's.
   */
  private static String expiredOn(LocalDate today) {
    return expiredOn("", today);
  }

  /** As {@link #expiredOn(LocalDate)}, of the table named {@code alias}. */
  private static String expiredOn(String alias, LocalDate today) {
    // A LocalDate prints as yyyy-MM-dd and nothing else: safe as a literal.
    return alias + "event_date + " + alias + "retention_days < DATE '" + today + "'";
  }

  /** The last position of the chain's expired prefix: before its first unexpired event, or its head. */
  public static long purgeableThrough(Connection c, String chain, LocalDate today) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT coalesce((SELECT min(chain_position) - 1 FROM audit_events WHERE correlation_id = ? AND NOT (" + expiredOn(today)
            + ")), (SELECT last_position FROM audit_chain_heads WHERE correlation_id = ?), 0)")) {
      ps.setString(1, chain);
      ps.setString(2, chain);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  public static String[] hashAt(Connection c, String chain, long position) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT event_hash, hash_algorithm FROM audit_events WHERE correlation_id = ? AND chain_position = ?")) {
      ps.setString(1, chain);
      ps.setLong(2, position);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
      }
    }
  }

  public static long countBetween(Connection c, String chain, long from, long through) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_events WHERE correlation_id = ?"
        + " AND chain_position BETWEEN ? AND ?")) {
      ps.setString(1, chain);
      ps.setLong(2, from);
      ps.setLong(3, through);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  public static boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, PURGE_LOCK);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  public static void unlock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      ps.setLong(1, PURGE_LOCK);
      ps.execute();
    }
  }

  /** The purge waits briefly for locks, then gives up (and retries next run): ingest never waits long for it. */
  public static void setLockTimeout(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL lock_timeout = '1s'");
    }
  }

  public static void lockHolds(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE legal_holds IN SHARE MODE");
    }
  }
}
