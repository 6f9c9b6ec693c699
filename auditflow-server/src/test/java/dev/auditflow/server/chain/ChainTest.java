package dev.auditflow.server.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ChainHasher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tampering done directly in PostgreSQL, as a database administrator could: each kind is found,
 * with the right reason and place. The immutability triggers are bypassed for the tampering
 * with {@code session_replication_role = replica} — which needs superuser, which is the point.
 */
class ChainTest {

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  /** Stores {@code n} events of one chain, in batches, and returns their ids in chain order. */
  private static List<String> chain(String correlationId, int n) {
    List<String> ids = new ArrayList<>();
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    Instant base = Instant.now().minusSeconds(3600);
    for (int i = 0; i < n; i++) {
      ObjectNode e = EventJson.valid(correlationId, base.plusMillis(i));
      ids.add(e.get("event_id").asText());
      batch.add(e);
      if (batch.size() == 1_000 || i == n - 1) {
        assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
        batch = AuditEventJson.mapper().createArrayNode();
      }
    }
    return ids;
  }

  private static JsonNode verify(String correlationId) {
    var r = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlationId + "\"}");
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  private static void tamper(String... sql) {
    Superuser.tamper(fx.jdbcUrl(), sql);
  }

  private static void asAdministrator(Consumer<Statement> work) {
    try (Connection c = java.sql.DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement()) {
      work.accept(s);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertBreak(JsonNode result, String reason, long position, String eventId) {
    assertThat(result.get("verified").asBoolean()).as(result.toString()).isFalse();
    JsonNode b = result.get("first_break");
    assertThat(b.get("reason").asText()).as(result.toString()).isEqualTo(reason);
    assertThat(b.get("position").asLong()).as(result.toString()).isEqualTo(position);
    if (eventId != null) {
      assertThat(b.get("event_id").asText()).isEqualTo(eventId);
    }
  }

  @Test
  void anUntouchedChainOfTenThousandEventsVerifies() {
    chain("long-chain", 10_000);
    JsonNode result = verify("long-chain");
    assertThat(result.get("verified").asBoolean()).isTrue();
    assertThat(result.get("events_checked").asLong()).isEqualTo(10_000);
    assertThat(result.get("first_break").isNull()).isTrue();
  }

  @Test
  void storedEventsCarryTheirLinks() {
    List<String> ids = chain("links", 3);
    JsonNode first = fx.get("/api/v1/audit/events/" + ids.get(0)).json();
    JsonNode second = fx.get("/api/v1/audit/events/" + ids.get(1)).json();
    assertThat(first.get("chain_position").asLong()).isEqualTo(1);
    // Kubernaut's shape: the first event shows no previous hash; its own hash was computed over the zero hash.
    assertThat(first.get("previous_event_hash").asText()).isEmpty();
    assertThat(first.get("event_hash").asText()).isEqualTo(ChainHasher.sha256()
        .hash(ChainHasher.GENESIS, CanonicalForm.ofExported(first)));
    assertThat(first.get("hash_algorithm").asText()).isEqualTo("sha256");
    assertThat(second.get("chain_position").asLong()).isEqualTo(2);
    assertThat(second.get("previous_event_hash").asText()).isEqualTo(first.get("event_hash").asText());
  }

  @Test
  void aChangedFieldIsModifiedContent() {
    List<String> ids = chain("t-field", 20);
    tamper("UPDATE audit_events SET event_outcome = 'failure' WHERE event_id = '" + ids.get(7) + "'");
    assertBreak(verify("t-field"), "modified_content", 8, ids.get(7));
  }

  @Test
  void aChangedSubmitterIsModifiedContent() {
    List<String> ids = chain("t-ingested-by", 5);
    tamper("UPDATE audit_events SET ingested_by = 'token:someone-else' WHERE event_id = '" + ids.get(2) + "'");
    assertBreak(verify("t-ingested-by"), "modified_content", 3, ids.get(2));
  }

  @Test
  void changedEventDataIsModifiedContent() {
    List<String> ids = chain("t-data", 20);
    tamper("UPDATE audit_events SET event_data = jsonb_set(event_data, '{n}', '2') WHERE event_id = '" + ids.get(12) + "'");
    assertBreak(verify("t-data"), "modified_content", 13, ids.get(12));
  }

  @Test
  void aDeletedRowIsAMissingPosition() {
    List<String> ids = chain("t-delete", 20);
    tamper("DELETE FROM audit_events WHERE event_id = '" + ids.get(4) + "'");
    assertBreak(verify("t-delete"), "missing_position", 5, ids.get(5));
  }

  @Test
  void aDeletedLastRowIsAMissingPosition() {
    List<String> ids = chain("t-delete-last", 20);
    tamper("DELETE FROM audit_events WHERE event_id = '" + ids.get(19) + "'");
    assertBreak(verify("t-delete-last"), "missing_position", 20, null);
  }

  @Test
  void aForgedRowAppendedIsAnInsertedRow() {
    List<String> ids = chain("t-insert", 10);
    tamper("INSERT INTO audit_events SELECT gen_random_uuid(), event_date, event_timestamp, received_at, version, event_type,"
        + " event_category, event_action, event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id,"
        + " resource_name, parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message,"
        + " event_data, retention_days, is_sensitive, 11, event_hash, event_hash, hash_algorithm"
        + " FROM audit_events WHERE event_id = '" + ids.get(9) + "'");
    assertBreak(verify("t-insert"), "inserted_row", 11, null);
  }

  @Test
  void aForgedRowAtAnExistingPositionIsAnInsertedRow() {
    List<String> ids = chain("t-insert-mid", 10);
    tamper("INSERT INTO audit_events SELECT 'ffffffff-ffff-7fff-bfff-ffffffffffff', event_date, event_timestamp, received_at,"
        + " version, 'forged.event', event_category, event_action, event_outcome, correlation_id, actor_type, actor_id,"
        + " resource_type, resource_id, resource_name, parent_event_id, namespace, cluster_name, severity, duration_ms,"
        + " error_code, error_message, event_data, retention_days, is_sensitive, chain_position, previous_event_hash,"
        + " event_hash, hash_algorithm FROM audit_events WHERE event_id = '" + ids.get(3) + "'");
    assertBreak(verify("t-insert-mid"), "inserted_row", 4, "ffffffff-ffff-7fff-bfff-ffffffffffff");
  }

  @Test
  void swappedPositionsAreABrokenLink() {
    List<String> ids = chain("t-swap", 10);
    tamper("UPDATE audit_events SET chain_position = 100 WHERE event_id = '" + ids.get(2) + "'",
        "UPDATE audit_events SET chain_position = 3 WHERE event_id = '" + ids.get(6) + "'",
        "UPDATE audit_events SET chain_position = 7 WHERE event_id = '" + ids.get(2) + "'");
    assertBreak(verify("t-swap"), "broken_link", 3, ids.get(6));
  }

  @Test
  void duplicatesTakeNoChainPosition() {
    ArrayNode batch = EventJson.array(EventJson.valid("t-dup"), EventJson.valid("t-dup"));
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    batch.add(EventJson.valid("t-dup"));
    var replay = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(replay.json().get("duplicates").asInt()).isEqualTo(2);
    JsonNode result = verify("t-dup");
    assertThat(result.get("verified").asBoolean()).isTrue();
    assertThat(result.get("events_checked").asLong()).isEqualTo(3);
  }

  @Test
  void jsonbReserialisationDoesNotBreakVerification() {
    ObjectNode e = EventJson.valid("t-jsonb");
    String data = "{\"zeta\":1,\"alpha\":{\"y\":[1.50,1e2,-0,0.1],\"x\":\"\\u00e9\\u2603\"},\"big\":12345678901234567890.123456789}";
    String body = e.toString().replaceFirst("\"event_data\":\\{[^}]*\\}", "\"event_data\":" + data);
    assertThat(fx.postJson("/api/v1/audit/events", body).status()).isEqualTo(201);
    JsonNode result = verify("t-jsonb");
    assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
  }

  @Test
  void verifyingATimeRangeWalksEveryChainInIt() {
    chain("t-range-a", 5);
    chain("t-range-b", 5);
    String since = Instant.now().minusSeconds(7200).toString();
    String until = Instant.now().plusSeconds(60).toString();
    var r = fx.postJson("/api/v1/audit/verify", "{\"since\":\"" + since + "\",\"until\":\"" + until + "\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("chains_checked").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(fx.postJson("/api/v1/audit/verify", "{\"since\":\"" + until + "\",\"until\":\"" + since + "\"}").status()).isEqualTo(400);
  }

  @Test
  void triggersRefuseUpdateDeleteAndTruncate() {
    List<String> ids = chain("t-immutable", 2);
    for (String sql : List.of(
        "UPDATE audit_events SET event_type = 'x' WHERE event_id = '" + ids.get(0) + "'",
        "DELETE FROM audit_events WHERE event_id = '" + ids.get(0) + "'",
        "TRUNCATE audit_events")) {
      assertThatThrownBy(() -> asAdministrator(s -> {
        try {
          s.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException(e.getSQLState() + " " + e.getMessage(), e);
        }
      })).hasMessageContaining("immutable");
    }
    // The purge setting alone does not unlock events whose retention has not expired.
    assertThatThrownBy(() -> asAdministrator(s -> {
      try {
        s.execute("BEGIN; SET LOCAL auditflow.retention_purge = 'on'; DELETE FROM audit_events WHERE event_id = '"
            + ids.get(0) + "'; COMMIT");
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    })).hasMessageContaining("immutable");
    assertThat(verify("t-immutable").get("verified").asBoolean()).isTrue();
  }

  @Test
  void theWriterRoleMayInsertButNotUpdateOrDelete() {
    List<String> ids = chain("t-role", 1);
    for (String sql : List.of("UPDATE audit_events SET event_type = 'x' WHERE event_id = '" + ids.get(0) + "'",
        "DELETE FROM audit_events WHERE event_id = '" + ids.get(0) + "'")) {
      assertThatThrownBy(() -> asAdministrator(s -> {
        try {
          s.execute("SET ROLE auditflow_writer");
          s.execute(sql);
        } catch (SQLException e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      })).hasMessageContaining("permission denied");
    }
    asAdministrator(s -> {
      try {
        s.execute("SET ROLE auditflow_writer");
        s.executeQuery("SELECT count(*) FROM audit_events").close();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void concurrentWritersOnTwoServersBuildOneUnbrokenChain() throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(fx.jdbcUrl()).poolSize(4).build();
    try (AuditServer other = AuditServer.start(config)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int port = t % 2 == 0 ? fx.server().port() : other.port();
        done.add(pool.submit(() -> {
          go.await();
          var http = java.net.http.HttpClient.newHttpClient();
          for (int i = 0; i < 10; i++) {
            // Each batch mixes the shared chain with a chain of its own thread.
            ArrayNode batch = EventJson.array(EventJson.valid("t-concurrent"), EventJson.valid("t-own-" + port + "-" + i),
                EventJson.valid("t-concurrent"));
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/audit/events/batch"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + fx.adminToken())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(batch.toString())).build();
            assertThat(http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    JsonNode result = verify("t-concurrent");
    assertThat(result.get("verified").asBoolean()).as(result.toString()).isTrue();
    assertThat(result.get("events_checked").asLong()).isEqualTo(8 * 10 * 2);
  }

  @Test
  void keyedChainsNeedTheKeyAndAnUnkeyedRewriteIsCaught() {
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (ServerFixture keyed = ServerFixture.start(b -> b.chainKey(key))) {
      ObjectNode e = EventJson.valid("t-hmac");
      assertThat(keyed.postJson("/api/v1/audit/events", e.toString()).status()).isEqualTo(201);
      JsonNode stored = keyed.get("/api/v1/audit/events/" + e.get("event_id").asText()).json();
      assertThat(stored.get("hash_algorithm").asText()).isEqualTo("hmac-sha256");
      assertThat(keyed.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"t-hmac\"}").json().get("verified").asBoolean()).isTrue();
      // A forger without the key appends an event hashed with plain SHA-256 and moves the head.
      ObjectNode forged = EventJson.valid("t-hmac");
      try (AuditServer unkeyed = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
          .jdbcUrl(keyed.jdbcUrl()).poolSize(2).build())) {
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + unkeyed.port() + "/api/v1/audit/events"))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + keyed.adminToken())
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(forged.toString())).build();
        assertThat(http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
      } catch (Exception ex) {
        throw new IllegalStateException(ex);
      }
      JsonNode result = keyed.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"t-hmac\"}").json();
      assertThat(result.get("verified").asBoolean()).isFalse();
      assertThat(result.get("first_break").get("reason").asText()).isEqualTo("modified_content");
      assertThat(result.get("first_break").get("position").asLong()).isEqualTo(2);
      ServerConfig keyless = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(keyed.jdbcUrl()).poolSize(2).build();
      try (AuditServer without = AuditServer.start(keyless)) {
        var answer = new ChainVerifier(without.trail(), ChainHasher.sha256(), 1_000).verifyCorrelation("t-hmac");
        assertThat(answer.verified()).isFalse();
        assertThat(answer.firstBreak().reason()).isEqualTo("unverifiable");
      }
    }
  }
}
