package dev.auditflow.server.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Tells infrastructure failures (retry later) from bugs and bad data (don't). */
public final class SqlFailures {
  /** SQLSTATE classes and codes that mean "the database is not able right now". */
  private static final Set<String> UNAVAILABLE_CLASSES = Set.of("08", "53", "57", "58", "XX");

  private static final Set<String> UNAVAILABLE_CODES = Set.of("25006", "40001", "40P01", "55P03");

  private static final String QUERY_CANCELED = "57014";

  private SqlFailures() {}

  /** True for connection loss, shutdown, resource exhaustion, timeouts, read-only, serialisation aborts. */
  public static boolean isUnavailable(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true; // HikariCP: no connection within connectionTimeout
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (UNAVAILABLE_CODES.contains(state) || (state.length() == 5 && UNAVAILABLE_CLASSES.contains(state.substring(0, 2)))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when PostgreSQL cancelled the statement (SQLSTATE 57014): the statement timeout, or an
   * operator's {@code pg_cancel_backend}. The server sets the timeout; nothing of its own cancels.
   */
  public static boolean isStatementTimeout(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** Wraps an infrastructure failure as {@link DatabaseUnavailableException}; anything else as it is. */
  public static RuntimeException translate(String action, SQLException e) {
    if (isUnavailable(e)) {
      return new DatabaseUnavailableException("database unavailable while " + action + ": " + e.getMessage(), e);
    }
    return new IllegalStateException("database error while " + action + ": " + e.getMessage(), e);
  }
}
