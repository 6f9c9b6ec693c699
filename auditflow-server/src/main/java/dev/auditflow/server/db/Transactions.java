package dev.auditflow.server.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Committing with an honest outcome. */
public final class Transactions {
  private Transactions() {}

  /** Work done inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code c} and commits it ({@link #commit}); rolls
   * back on any failure. The connection is back in auto-commit mode afterwards, whatever happened.
   */
  public static <T> T inTransaction(Connection c, String what, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      commit(c, what);
      return result;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c, e);
      throw e;
    } finally {
      autoCommitQuietly(c);
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static void autoCommitQuietly(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // A broken connection: HikariCP evicts it when it returns.
    }
  }

  /**
   * Commits, telling "rolled back" from "unknown". An error answer that PostgreSQL only gives
   * after rolling back (SQLSTATE class 40, transaction rollback; class 23, a deferred constraint)
   * means nothing was stored. Anything else — above all a connection that broke while the COMMIT
   * was under way — leaves the transaction possibly committed.
   *
   * @throws OutcomeUnknownException when the commit may or may not have happened
   * @throws SQLException when it certainly did not
   */
  public static void commit(Connection c, String what) throws SQLException {
    try {
      c.commit();
    } catch (SQLException e) {
      String state = e.getSQLState();
      if (state != null && (state.startsWith("40") || state.startsWith("23"))) {
        throw e;
      }
      throw new OutcomeUnknownException(
          "the database connection failed while committing " + what + "; it may or may not be stored: " + e.getMessage(), e);
    }
  }
}
