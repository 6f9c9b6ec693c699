package dev.auditflow.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.auditflow.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several statements in one round trip, on real PostgreSQL: in order, each seeing what came before it. */
class RoundTripTest {
  private static String url;

  @BeforeAll
  static void create() throws SQLException {
    url = TestDatabase.create();
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
    }
  }

  @AfterAll
  static void drop() {
    TestDatabase.drop(url);
  }

  @BeforeEach
  void empty() throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("TRUNCATE items");
    }
  }

  @Test
  void runsTheStatementsInOrderWithTheirParametersAndReadsEachQuery() throws SQLException {
    List<String> names = new ArrayList<>();
    long[] count = new long[1];
    try (Connection c = DriverManager.getConnection(url)) {
      new RoundTrip()
          .update("INSERT INTO items SELECT * FROM unnest(?::int[], ?::text[])",
              p -> p.array("int4", new Integer[] {1, 2}).array("text", new String[] {"one", "two"}))
          .query("SELECT name FROM items WHERE id >= ? ORDER BY id", p -> p.value(2, Types.INTEGER), rows -> {
            while (rows.next()) {
              names.add(rows.getString(1));
            }
          })
          .update("INSERT INTO items VALUES (?, ?)", p -> p.value(3, Types.INTEGER).value("three", Types.VARCHAR))
          .query("SELECT count(*) FROM items", p -> {}, rows -> {
            rows.next();
            count[0] = rows.getLong(1);
          })
          .run(c);
    }
    assertThat(names).containsExactly("two"); // the second statement saw the first's rows, and not the third's
    assertThat(count[0]).isEqualTo(3);
  }

  @Test
  void aStatementAfterALockSeesWhatTheLockWaitedFor() throws Exception {
    try (Connection holder = DriverManager.getConnection(url); Connection waiter = DriverManager.getConnection(url)) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(7)");
        s.execute("INSERT INTO items VALUES (1, 'written while the lock was held')");
      }
      waiter.setAutoCommit(false);
      CompletableFuture<List<String>> seen = CompletableFuture.supplyAsync(() -> {
        List<String> names = new ArrayList<>();
        try {
          new RoundTrip()
              .update("SELECT pg_advisory_xact_lock(?)", p -> p.value(7L, Types.BIGINT))
              .query("SELECT name FROM items", p -> {}, rows -> {
                while (rows.next()) {
                  names.add(rows.getString(1));
                }
              })
              .run(waiter);
          waiter.commit();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        return names;
      });
      awaitLockWait();
      assertThat(seen).isNotDone();
      holder.commit();
      assertThat(seen.get(10, TimeUnit.SECONDS)).containsExactly("written while the lock was held");
    }
  }

  @Test
  void theFirstFailingStatementEndsItWithItsStateAndNothingOfItStays() throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      SQLException failure = catchThrowableOfType(() -> new RoundTrip()
          .update("INSERT INTO items VALUES (1, 'first')", p -> {})
          .update("INSERT INTO items VALUES (1, 'the same key')", p -> {})
          .update("INSERT INTO items VALUES (2, 'after the failure')", p -> {})
          .run(c), SQLException.class);
      assertThat(failure.getSQLState()).isEqualTo("23505");
      c.rollback();
      try (Statement s = c.createStatement(); var rows = s.executeQuery("SELECT count(*) FROM items")) {
        rows.next();
        assertThat(rows.getLong(1)).isZero();
      }
    }
  }

  /** Waits until a session of this database waits for an advisory lock. */
  private static void awaitLockWait() {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
          var rows = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
              + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    });
  }
}
