package dev.auditflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.load.StoredEvents;
import dev.auditflow.server.testing.TestRedis;
import io.lettuce.core.RedisClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real failures against real processes: the server is a child JVM that is SIGKILLed or SIGTERMed,
 * PostgreSQL really stops, Redis really restarts. A steady stream runs through the real client;
 * afterwards every stored event is counted by paging through the query API, and each test checks
 * that every acknowledged event is stored exactly once and every other one was reported to the
 * caller. Figures go to target/reliability.md (copied into docs/RELIABILITY.md).
 */
@Tag("faults")
@Tag(TestRedis.TAG)
class FaultToleranceTest {
  private static final Path REPORT = Path.of("target/reliability.md");
  private Path pgDir;
  private int pgPort;
  private EmbeddedPostgres pg;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startPostgres() throws Exception {
    pgDir = Files.createTempDirectory("auditflow-faults-pg");
    pgPort = freePort();
    pg = postgres();
  }

  @AfterEach
  void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private EmbeddedPostgres postgres() throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(pgDir).setCleanDataDirectory(false).setPort(pgPort)
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
  }

  private void stopPg() throws Exception {
    pg.close();
    pg = null;
  }

  private void startPg() throws Exception {
    pg = postgres();
  }

  private String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres";
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private ServerProcess server(String redisUrl, String dlqKey) throws Exception {
    return new ServerProcess(freePort(), jdbcUrl(), redisUrl, dlqKey, ServerProcess.logFile("server").toPath());
  }

  /** The checks every scenario makes, and its line in the reliability table. */
  private void ledger(String scenario, URI server, EventStream stream, EventStream.Outcome o, int threads,
      long recoveryMs, boolean expectLoss) throws Exception {
    List<String> correlations = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      correlations.add(stream.correlationPrefix + "-" + t);
      correlations.add(stream.correlationPrefix + "-b" + t);
    }
    StoredEvents.Found found = new StoredEvents(server).count(correlations);
    Set<String> stored = found.ids();
    Set<String> storedButReportedLost = new HashSet<>(o.reportedLost());
    storedButReportedLost.retainAll(stored);
    String line = String.format("| %s | %d | %d | %d | %d | %d | %s |", scenario, o.sent(), stored.size(),
        found.duplicates(), o.reportedLost().size(), o.unreported(), recoveryMs < 0 ? "—" : recoveryMs + " ms");
    System.out.println("RELIABILITY " + line + " reasons=" + o.reasons());
    Files.writeString(REPORT, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);

    assertThat(o.unreported()).as("every event ended acknowledged or reported lost").isZero();
    assertThat(stored).as("every acknowledged event is stored").containsAll(o.acked());
    assertThat(found.duplicates()).as("stored exactly once").isZero();
    assertThat(storedButReportedLost).as("nothing reported lost was stored after all").isEmpty();
    assertThat(stored.size()).isEqualTo(o.acked().size());
    if (expectLoss) {
      assertThat(o.reportedLost()).isNotEmpty();
      assertThat(o.acked().size() + o.reportedLost().size()).isEqualTo(o.sent());
    } else {
      assertThat(o.reportedLost()).as("nothing lost").isEmpty();
      assertThat(o.acked()).hasSize(o.sent());
    }
  }

  /** Time until the client has caught up: no unacknowledged event older than two seconds. */
  private static long recovery(EventStream stream, long fromNanos) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> stream.store.stats().oldestUnacknowledgedAge().compareTo(Duration.ofSeconds(2)) < 0);
    return (System.nanoTime() - fromNanos) / 1_000_000;
  }

  private JsonNode get(URI base, String path) throws Exception {
    return AuditEventJson.mapper().readTree(http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  @Test
  void serverKilledAndRestartedMidStream() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), "kill", Duration.ofMinutes(2));
      stream.start(4, 10);
      Thread.sleep(3_000);
      server.kill();
      Thread.sleep(2_000);
      server.start();
      long recovery = recovery(stream, System.nanoTime());
      Thread.sleep(2_000);
      ledger("1. server SIGKILLed and restarted mid-stream", server.uri(), stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, false);
    }
  }

  @Test
  void postgresStoppedThirtySecondsWithTheDeadLetterQueue() throws Exception {
    String key = TestRedis.uniqueKey("faults");
    try (ServerProcess server = server(TestRedis.url(), key)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), "pg-dlq", Duration.ofMinutes(2));
      stream.start(4, 10);
      Thread.sleep(3_000);
      stopPg();
      Thread.sleep(30_000);
      assertThat(get(server.uri(), "/api/v1/admin/dlq").get("depth").asLong()).as("queued during the outage").isPositive();
      long back = System.nanoTime();
      startPg();
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
          .until(() -> get(server.uri(), "/api/v1/admin/dlq").get("depth").asLong() == 0);
      long recovery = (System.nanoTime() - back) / 1_000_000;
      Thread.sleep(2_000);
      ledger("2. PostgreSQL stopped 30 s, Redis DLQ", server.uri(), stream, stream.finish(Duration.ofSeconds(60)), 4,
          recovery, false);
    } finally {
      try (RedisClient client = RedisClient.create(TestRedis.url()); var c = client.connect()) {
        c.sync().del(key, key + ":dead");
      }
    }
  }

  @Test
  void postgresStoppedWithoutDeadLetterQueueShorterThanTheDeliveryTimeout() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), "pg-503", Duration.ofSeconds(60));
      stream.start(4, 10);
      Thread.sleep(3_000);
      stopPg();
      Thread.sleep(10_000);
      long back = System.nanoTime();
      startPg();
      long recovery = recovery(stream, back);
      Thread.sleep(1_000);
      ledger("3. PostgreSQL stopped 10 s, no DLQ, delivery timeout 60 s", server.uri(), stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, false);
    }
  }

  @Test
  void outageLongerThanTheDeliveryTimeoutReportsLossesExactly() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), "pg-long", Duration.ofSeconds(4));
      stream.start(4, 10);
      Thread.sleep(3_000);
      stopPg();
      Thread.sleep(12_000);
      long back = System.nanoTime();
      startPg();
      long recovery = recovery(stream, back);
      Thread.sleep(1_000);
      ledger("4. PostgreSQL stopped 12 s, no DLQ, delivery timeout 4 s", server.uri(), stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, true);
    }
  }

  @Test
  void serverSigtermDuringABurst() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), "term", Duration.ofMinutes(2));
      Thread burst = new Thread(() -> {
        try {
          stream.burst(8, 1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      burst.start();
      Thread.sleep(300);
      assertThat(server.terminate()).as("graceful exit").isIn(0, 143);
      server.start();
      burst.join();
      long recovery = recovery(stream, System.nanoTime());
      ledger("5. server SIGTERMed during a burst, restarted", server.uri(), stream,
          stream.finish(Duration.ofSeconds(60)), 8, recovery, false);
    }
  }

  @Test
  void redisRestartedWhileEventsAreQueuedInIt() throws Exception {
    try (RedisProcess redis = new RedisProcess(freePort())) {
      redis.start();
      try (ServerProcess server = server(redis.url(), "auditflow:dlq")) {
        server.start();
        EventStream stream = new EventStream(server.uri(), "redis-restart", Duration.ofMinutes(2));
        stopPg();
        stream.start(4, 10);
        Thread.sleep(5_000);
        stream.stopEmitting();
        await().atMost(Duration.ofSeconds(90)).until(() -> stream.store.stats().outstanding() == 0);
        long queued = get(server.uri(), "/api/v1/admin/dlq").get("depth").asLong();
        assertThat(queued).as("everything went to Redis").isPositive();
        redis.stop();
        redis.start();
        assertThat(get(server.uri(), "/api/v1/admin/dlq").get("depth").asLong()).as("survived the restart").isEqualTo(queued);
        long back = System.nanoTime();
        startPg();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> get(server.uri(), "/api/v1/admin/dlq").get("depth").asLong() == 0);
        long recovery = (System.nanoTime() - back) / 1_000_000;
        ledger("6. Redis restarted (AOF) with events queued in it", server.uri(), stream,
            stream.finish(Duration.ofSeconds(30)), 4, recovery, false);
      }
    }
  }
}
