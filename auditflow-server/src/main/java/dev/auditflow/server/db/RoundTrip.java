package dev.auditflow.server.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Statements sent to PostgreSQL together and run in order, in the caller's transaction: one
 * network round trip for all of them instead of one each (PgJDBC sends every statement of a
 * multi-statement string before it waits for the first answer). Each statement still starts with
 * a snapshot of its own under READ COMMITTED, so one placed after a lock sees what the lock waited
 * for — which a single statement (a CTE) taking the lock would not.
 *
 * <p>The first statement that fails ends the round trip with its {@link SQLException}, SQLSTATE
 * intact; the statements after it do not run.
 */
public final class RoundTrip {
  /** Sets one statement's parameters. */
  @FunctionalInterface
  public interface Binding {
    void bind(Parameters parameters) throws SQLException;
  }

  /** Reads one query's rows. */
  @FunctionalInterface
  public interface Rows {
    void read(ResultSet rows) throws SQLException;
  }

  /** The parameters of the whole round trip, numbered across its statements in order. */
  public static final class Parameters {
    private final PreparedStatement statement;
    private int next = 1;

    private Parameters(PreparedStatement statement) {
      this.statement = statement;
    }

    public Parameters array(String elementType, Object[] elements) throws SQLException {
      statement.setArray(next++, statement.getConnection().createArrayOf(elementType, elements));
      return this;
    }

    public Parameters value(Object value, int sqlType) throws SQLException {
      statement.setObject(next++, value, sqlType);
      return this;
    }

    public Parameters bytes(byte[] value) throws SQLException {
      statement.setBytes(next++, value);
      return this;
    }
  }

  private record Statement(String sql, Binding binding, Rows rows) {}

  private final List<Statement> statements = new ArrayList<>();

  /** Adds a query whose rows {@code rows} reads. */
  public RoundTrip query(String sql, Binding binding, Rows rows) {
    statements.add(new Statement(sql, binding, rows));
    return this;
  }

  /** Adds a statement whose result is not read (an insert, an update, a lock). */
  public RoundTrip update(String sql, Binding binding) {
    statements.add(new Statement(sql, binding, null));
    return this;
  }

  /** Runs the statements on {@code c}, in the order added; does nothing when none were. */
  public void run(Connection c) throws SQLException {
    if (statements.isEmpty()) {
      return;
    }
    StringJoiner sql = new StringJoiner(";\n");
    statements.forEach(s -> sql.add(s.sql().strip()));
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      Parameters parameters = new Parameters(ps);
      for (Statement s : statements) {
        s.binding().bind(parameters);
      }
      boolean isRows = ps.execute();
      for (Statement s : statements) {
        if (isRows && s.rows() != null) {
          try (ResultSet rows = ps.getResultSet()) {
            s.rows().read(rows);
          }
        }
        isRows = ps.getMoreResults();
      }
    }
  }
}
