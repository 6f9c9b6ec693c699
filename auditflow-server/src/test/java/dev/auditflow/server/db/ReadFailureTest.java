package dev.auditflow.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import dev.auditflow.server.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A statement PostgreSQL stops at the statement timeout: on a read connection a read too expensive
 * (422, counted), on the writers' pool still "the database is unavailable" (a write that waits that
 * long is waiting on the database). Real PostgreSQL, a real timeout: {@code pg_sleep} outlasts it.
 */
class ReadFailureTest {
  private static final Duration TIMEOUT = Duration.ofMillis(200);
  private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private static String url;
  private static Database database;

  @BeforeAll
  static void open() {
    url = TestDatabase.create();
    database = Database.open(new DatabaseSettings(url, 2, 2, Duration.ofSeconds(5), TIMEOUT), registry);
  }

  @AfterAll
  static void close() {
    database.close();
    TestDatabase.drop(url);
  }

  private static SQLException sleepOn(Connection c) {
    return catchThrowableOfType(SQLException.class, () -> {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(5)");
      }
    });
  }

  @Test
  void aReadStoppedByTheTimeoutIsTooExpensiveAndCounted() throws SQLException {
    SQLException stopped;
    try (Connection c = database.readConnection()) {
      stopped = sleepOn(c);
    }
    RuntimeException failure = database.readFailure("counting events", stopped);

    assertThat(failure).isInstanceOf(ReadTooExpensiveException.class)
        .hasMessageContaining("200 ms statement timeout while counting events").hasMessageContaining("narrow it");
    ServiceException.Answering read = new ServiceException.Answering(false, Duration.ofSeconds(2));
    var problem = ((ServiceException) failure).problem(read);
    assertThat(problem.status()).isEqualTo(422);
    assertThat(problem.type()).isEqualTo(ProblemType.TYPE_PREFIX + "query-too-expensive");
    assertThat(((ServiceException) failure).retryAfter(read)).as("retrying it unchanged fails again").isEmpty();
    assertThat(registry.get("auditflow.reads.too.expensive").counter().count()).isEqualTo(1.0);
  }

  @Test
  void aWriteStoppedByTheTimeoutIsStillTheDatabaseUnavailable() throws SQLException {
    SQLException stopped;
    try (Connection c = database.connection()) {
      stopped = sleepOn(c);
    }
    assertThat(SqlFailures.translate("storing 1 events", stopped)).isInstanceOf(DatabaseUnavailableException.class);
  }

  @Test
  void anyOtherFailureOfAReadIsTranslatedAsBefore() {
    SQLException refused = new SQLException("Connection refused", "08001");
    assertThat(database.readFailure("querying events", refused)).isInstanceOf(DatabaseUnavailableException.class);
    SQLException bug = new SQLException("column does not exist", "42703");
    assertThat(database.readFailure("querying events", bug)).isInstanceOf(IllegalStateException.class);
  }
}
