package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.testing.CuttingProxy;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The server's answers say exactly what it knows: 503 {@code service-unavailable} only when
 * nothing was written, 503 {@code outcome-unknown} when a COMMIT went out and its answer was
 * lost, 500 for a broken invariant — never "unavailable" for something that may be stored.
 */
class WriteOutcomeTest {

  /** The same database, reached through {@code proxy}, without server-side prepared statements (so every COMMIT is sent as text). */
  private static String through(CuttingProxy proxy, String jdbcUrl) {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    return "jdbc:postgresql://127.0.0.1:" + proxy.port() + uri.getRawPath() + "?" + uri.getRawQuery()
        + "&prepareThreshold=0";
  }

  @Test
  void aCommitWhoseAnswerIsLostIsAnsweredOutcomeUnknownAndTheRetryFindsItStored() throws Exception {
    String jdbcUrl = TestDatabase.create();
    URI direct = URI.create(jdbcUrl.substring("jdbc:".length()));
    try (CuttingProxy proxy = new CuttingProxy(direct.getHost(), direct.getPort());
        ServerFixture fx = ServerFixture.onDatabase(through(proxy, jdbcUrl), b -> b)) {
      ObjectNode event = EventJson.valid("cut-commit");
      // The log's integrator commits once at start (the first checkpoint): the COMMIT to cut is the write's.
      await().atMost(Duration.ofSeconds(30)).until(() -> fx.get("/api/v1/log/checkpoint").status() == 200);
      proxy.cutOnce("COMMIT");
      var answer = fx.postJson("/api/v1/audit/events", event.toString());
      assertThat(proxy.cuts()).isEqualTo(1);
      assertThat(answer.status()).as(answer.body()).isEqualTo(503);
      assertThat(answer.json().get("type").asText()).isEqualTo(ProblemType.OUTCOME_UNKNOWN.uri());
      assertThat(answer.header("Retry-After")).isNotNull();
      // It was committed: PostgreSQL did the work, only the acknowledgement was lost. (The proxy cut
      // the connection as the COMMIT went through, so PostgreSQL may still be finishing it when the
      // answer arrives: on a busy machine the row appears a moment later, never not at all.)
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
            var rs = s.executeQuery("SELECT count(*) FROM audit_events WHERE correlation_id = 'cut-commit'")) {
          rs.next();
          return rs.getLong(1) == 1;
        }
      });
      // The client's retry of the same event resolves it: "duplicate", i.e. stored.
      var retried = awaitAnswer(fx, event);
      assertThat(retried.status()).as(retried.body()).isEqualTo(201);
      assertThat(retried.json().get("duplicate").asBoolean()).isTrue();
    } finally {
      TestDatabase.drop(jdbcUrl);
    }
  }

  /** After a failure the server skips the database for a second; retry until it answers. */
  private static ServerFixture.Response awaitAnswer(ServerFixture fx, ObjectNode event) {
    ServerFixture.Response[] last = new ServerFixture.Response[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      last[0] = fx.postJson("/api/v1/audit/events", event.toString());
      return last[0].status() != 503;
    });
    return last[0];
  }

  @Test
  void theSameEventIdStoredConcurrentlyUnderAnotherCorrelationIsAnInternalErrorNotAnOutage() throws Exception {
    try (ServerFixture fx = ServerFixture.start()) {
      ObjectNode event = EventJson.valid("invariant-a");
      ObjectNode twin = event.deepCopy().put("correlation_id", "invariant-b");
      // Another writer has inserted the twin but not committed: the server's "already stored?"
      // check does not see it, its insert then waits on the unique index and finds a conflict.
      try (Connection other = DriverManager.getConnection(fx.jdbcUrl())) {
        other.setAutoCommit(false);
        try (Statement s = other.createStatement()) {
          s.execute("INSERT INTO audit_events (event_id, event_date, event_timestamp, version, event_type,"
              + " event_category, event_action, event_outcome, correlation_id, severity, event_data, retention_days)"
              + " VALUES ('" + twin.get("event_id").asText() + "', '" + twin.get("event_timestamp").asText().substring(0, 10)
              + "', '" + twin.get("event_timestamp").asText() + "', '1.0', 't', 'c', 'a', 'success', 'invariant-b',"
              + " 'info', '{}', 30)");
        }
        CompletableFuture<ServerFixture.Response> answer =
            CompletableFuture.supplyAsync(() -> fx.postJson("/api/v1/audit/events", event.toString()));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> waitingOnALock(fx));
        other.commit();
        var r = answer.get();
        assertThat(r.status()).as(r.body()).isEqualTo(500);
        assertThat(r.json().get("type").asText()).isEqualTo(ProblemType.INTERNAL_ERROR.uri());
      }
      assertThat(fx.get("/api/v1/audit/events/count?correlation_id=invariant-a").json().get("count").asLong()).isZero();
      assertThat(fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"invariant-a\"}").json()
          .get("verified").asBoolean()).as("no chain position was taken without its row").isTrue();
    }
  }

  private static boolean waitingOnALock(ServerFixture fx) throws Exception {
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND datname = current_database()")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  @Test
  void aNulCharacterInAQueryParameterOrAVerifyRequestIsAValidationErrorNamingIt() {
    try (ServerFixture fx = ServerFixture.start()) {
      for (String path : new String[] {"/api/v1/audit/events?event_type=%00", "/api/v1/audit/events/count?actor_id=a%00b",
          "/api/v1/workflows?status=%00", "/api/v1/audit/events?limit=1&correlation_id=x%00"}) {
        var r = fx.get(path);
        assertThat(r.status()).as(path + " " + r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").get(0).get("field").asText()).isIn("event_type", "actor_id", "status",
            "correlation_id");
      }
      // Found by HttpApiFuzzTest: the same character in the verify request's correlation id.
      var verify = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"a\\u0000b\"}");
      assertThat(verify.status()).as(verify.body()).isEqualTo(400);
      assertThat(verify.json().get("errors").get(0).get("field").asText()).isEqualTo("correlation_id");
    }
  }
}
