package dev.auditflow.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The test database as its owner sees it — what an attacker with database access, or an
 * administrator, can do behind the service's back. For tampering, and for reading state that
 * the API does not show.
 */
public final class Superuser {
  private Superuser() {}

  /** Runs the statements with triggers on (as the owner). */
  public static void execute(String jdbcUrl, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /** Runs the statements with every trigger off ({@code session_replication_role = replica}): undetectable by the database itself. */
  public static void tamper(String jdbcUrl, String... sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      for (String q : sql) {
        s.execute(q);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of the first row, as text. */
  public static String text(String jdbcUrl, String sql) {
    return firstValue(jdbcUrl, sql, rs -> rs.getString(1));
  }

  /** The first column of the first row, as a long. */
  public static long number(String jdbcUrl, String sql) {
    return firstValue(jdbcUrl, sql, rs -> rs.getLong(1));
  }

  private interface Column<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> T firstValue(String jdbcUrl, String sql, Column<T> column) {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return column.read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
