package dev.auditflow.server.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.kubernaut.OgenDecoder;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter queue with a real Redis and a PostgreSQL that really stops: events arriving
 * during the outage are queued (202), replayed when the database is back, stored once, and
 * poison entries end in the dead stream.
 */
class DeadLetterQueueTest {
  private EmbeddedPostgres pg;
  private Path dir;
  private int pgPort;
  private AuditServer server;
  private String key;
  private String token;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("auditflow-dlq");
    try (ServerSocket s = new ServerSocket(0)) {
      pgPort = s.getLocalPort();
    }
    pg = postgres();
    key = TestRedis.uniqueKey("dlq");
    server = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
        .jdbcUrl(pg.getJdbcUrl("postgres", "postgres")).poolSize(2).connectionTimeout(Duration.ofSeconds(1))
        .redisUrl(TestRedis.url()).dlqKey(key).dlqMaxAttempts(2).build());
    token = server.apiTokens().create("dlq-test", EnumSet.of(Role.ADMIN), null, "test").secret();
    awaitDlq("up");
  }

  /** The DLQ connects in the background; readiness says when it is there. */
  private void awaitDlq(String state) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> state.equals(json(send("GET", "/health/ready", null)).path("dlq").asText()));
  }

  private EmbeddedPostgres postgres() throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(pgPort).start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    pg.close();
    try (RedisClient client = RedisClient.create(TestRedis.url()); var c = client.connect()) {
      c.sync().del(key, key + ":dead");
    }
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    if (headers.length > 0) {
      b.headers(headers);
    }
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> r) throws Exception {
    return AuditEventJson.mapper().readTree(r.body());
  }

  @Test
  void eventsDuringAnOutageAreQueuedThenReplayedOnce() throws Exception {
    assertThat(server.replayWorker().isRunning()).as("the replay worker runs with the server").isTrue();
    ArrayNode batch = EventJson.array(EventJson.valid("dlq-a"), EventJson.valid("dlq-a"), EventJson.valid("dlq-b"));
    batch.add(batch.get(0).deepCopy()); // a duplicate within the request
    pg.close();

    HttpResponse<String> queued = send("POST", "/api/v1/audit/events/batch", batch.toString());
    // A batch durably queued is a 201 (Kubernaut's client accepts nothing else), saying "queued".
    OgenDecoder.createAuditEventsBatch(queued);
    assertThat(json(queued).get("status").asText()).isEqualTo("queued");
    assertThat(json(queued).get("queued").asInt()).isEqualTo(4);
    HttpResponse<String> single = send("POST", "/api/v1/audit/events", EventJson.valid("dlq-b").toString());
    assertThat(single.statusCode()).isEqualTo(202);
    assertThat(OgenDecoder.createAuditEvent(single).get("status").asText()).isEqualTo("queued");
    // The client retried the batch too (it never saw the 202, say): replaying must still store once.
    assertThat(send("POST", "/api/v1/audit/events/batch", batch.toString()).statusCode()).isEqualTo(201);
    // A numbering producer's batch: its issued mark (docs/COMPLETENESS.md) is queued with it.
    UUID epoch = UuidV7.generate();
    ArrayNode numbered = EventJson.array(EventJson.valid("dlq-c"), EventJson.valid("dlq-c"));
    for (int i = 0; i < 2; i++) {
      ((ObjectNode) numbered.get(i)).put("producer_id", "dlq@h").put("producer_epoch", epoch.toString())
          .put("producer_seq", i + 1);
    }
    assertThat(json(send("POST", "/api/v1/audit/events/batch", numbered.toString(), Declaration.ISSUED_HEADER, "6"))
        .get("status").asText()).isEqualTo("queued");

    HttpResponse<String> ready = send("GET", "/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("status").asText()).isEqualTo("DEGRADED");
    assertThat(json(ready).get("database").asText()).isEqualTo("down");
    assertThat(json(send("GET", "/api/v1/admin/dlq", null)).get("depth").asLong()).isEqualTo(4);

    pg = postgres();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> json(send("GET", "/api/v1/admin/dlq", null)).get("depth").asLong() == 0);
    assertThat(json(send("GET", "/api/v1/audit/events/count?correlation_id=dlq-a", null)).get("count").asLong()).isEqualTo(2);
    assertThat(json(send("GET", "/api/v1/audit/events/count?correlation_id=dlq-b", null)).get("count").asLong()).isEqualTo(2);
    // Every field round-tripped through Redis: the stored event equals what was sent.
    JsonNode sent = batch.get(2);
    JsonNode stored = json(send("GET", "/api/v1/audit/events/" + sent.get("event_id").asText(), null));
    sent.fieldNames().forEachRemaining(f -> assertThat(stored.get(f)).as(f).isEqualTo(sent.get(f)));
    JsonNode accounts = json(send("GET", "/api/v1/producers/dlq@h/epochs/" + epoch, null));
    assertThat(accounts.get("stored").asLong()).isEqualTo(2);
    assertThat(accounts.get("issued_seq").asLong()).as("the mark came back from Redis with its batch").isEqualTo(6);
    JsonNode verify = json(send("POST", "/api/v1/audit/verify", "{\"correlation_id\":\"dlq-a\"}"));
    assertThat(verify.get("verified").asBoolean()).isTrue();
    assertThat(send("GET", "/metrics", null).body()).contains("auditflow_dlq_replayed_events_total 11.0")
        .contains("auditflow_server_events_total{result=\"queued\"} 11.0");
  }

  @Test
  void aRedisThatIsDownAtStartMakesTheQueueUnavailableUntilItComesUp() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.ephemeral();
        AuditServer late = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
            .jdbcUrl(pg.getJdbcUrl("postgres", "postgres")).poolSize(2).redisUrl(redis.url()).dlqKey(key).build())) {
      // Redis is not running: the server starts anyway, and says the DLQ is down.
      URI base = URI.create("http://127.0.0.1:" + late.port());
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(json(ready).get("status").asText()).isEqualTo("DEGRADED");
      assertThat(json(ready).get("dlq").asText()).isEqualTo("down");
      String lateToken = late.apiTokens().create("dlq-late", EnumSet.of(Role.ADMIN), null, "test").secret();
      HttpResponse<String> summary = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/admin/dlq"))
              .header("Authorization", "Bearer " + lateToken).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(summary.statusCode()).as(summary.body()).isEqualTo(503);
      assertThat(summary.headers().firstValue("Content-Type")).contains("application/problem+json");

      redis.start();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> json(http.send(
          HttpRequest.newBuilder(base.resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString()))
          .path("status").asText().equals("UP"));
      pg.close();
      HttpResponse<String> queued = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/audit/events"))
              .header("Content-Type", "application/json").header("Authorization", "Bearer " + lateToken)
              .POST(HttpRequest.BodyPublishers.ofString(EventJson.valid("dlq-late").toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(queued.statusCode()).as("queued once Redis came up").isEqualTo(202);
      pg = postgres();
    }
  }

  @Test
  void aPoisonEntryIsDeadLetteredAfterTheMaximumAttempts() throws Exception {
    try (RedisClient client = RedisClient.create(TestRedis.url()); StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().xadd(key, Map.of("events", "[{\"event_type\": 42}]", "count", "1", "queued_at", "2026-01-01T00:00:00Z"));
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> json(send("GET", "/api/v1/admin/dlq", null)).get("dead_lettered").asLong() == 1);
    JsonNode summary = json(send("GET", "/api/v1/admin/dlq", null));
    assertThat(summary.get("depth").asLong()).isZero();
    assertThat(summary.get("recent_dead").get(0).get("reason").asText()).contains("event_type");
    assertThat(summary.get("recent_dead").get(0).get("attempts").asText()).isEqualTo("2");
    assertThat(send("GET", "/metrics", null).body()).contains("auditflow_dlq_dead_lettered_total 1.0");
  }

  @Test
  void withTheDatabaseDownAndRedisRefusingTheAnswerIs503() throws Exception {
    pg.close();
    try (RedisClient client = RedisClient.create(TestRedis.url()); var c = client.connect()) {
      c.sync().del(key);
      c.sync().set(key, "not-a-stream"); // XADD now fails with WRONGTYPE: Redis cannot take the events
    }
    HttpResponse<String> r = send("POST", "/api/v1/audit/events", EventJson.valid("dlq-none").toString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    pg = postgres();
  }
}
