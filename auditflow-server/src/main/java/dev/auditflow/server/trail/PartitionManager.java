package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the month partition for every event exists before it is inserted, so an insert never
 * fails for lack of one (lesson 9 in docs/ARCHITECTURE.md: the old system created four months and then ran out).
 *
 * <p>Creation is delegated to the {@code auditflow_ensure_month_partition} SQL function, which
 * serialises creators of the same month on an advisory lock — safe across threads and across
 * server instances. Months known to exist are remembered, so the common path costs a set lookup.
 */
final class PartitionManager {
  private static final Logger log = LoggerFactory.getLogger(PartitionManager.class);

  private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

  /** Creates the partitions from last month to three months ahead, as at start-up. */
  public void ensureAround(Connection connection, LocalDate today) throws SQLException {
    YearMonth now = YearMonth.from(today);
    ensure(connection, java.util.List.of(now.minusMonths(1), now, now.plusMonths(1), now.plusMonths(2), now.plusMonths(3)));
  }

  /**
   * Ensures each month's partition exists. Call it on a connection in auto-commit mode, outside
   * the insert's transaction: each creation then commits at once and holds its lock only briefly.
   */
  public void ensure(Connection connection, Collection<YearMonth> months) throws SQLException {
    if (!connection.getAutoCommit()) {
      // Inside a transaction the creation would hold its locks, and the parent table's, until
      // that transaction ends — and would vanish with it on a rollback while we remember it.
      throw new IllegalStateException("partitions must be ensured in auto-commit mode, outside a transaction");
    }
    for (YearMonth month : months) {
      if (known.contains(month)) {
        continue;
      }
      try (PreparedStatement ps = connection.prepareStatement("SELECT auditflow_ensure_month_partition(?)")) {
        ps.setObject(1, month.atDay(1));
        try (var rs = ps.executeQuery()) {
          rs.next();
          log.debug("partition ensured month={} table={}", month, rs.getString(1));
        }
      }
      known.add(month);
    }
  }

  /** Forgets what it knows: after an insert found a partition missing that it believed existed. */
  public void forget() {
    known.clear();
  }
}
