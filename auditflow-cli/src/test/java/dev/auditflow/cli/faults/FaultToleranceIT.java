package dev.auditflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.ApiClient;
import dev.auditflow.cli.jar.PostgresProcess;
import dev.auditflow.cli.load.StoredEvents;
import dev.auditflow.client.AuditStoreConfig;
import dev.auditflow.client.RetryPolicy;
import dev.auditflow.server.testing.CuttingProxy;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestRedis;
import io.lettuce.core.RedisClient;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real failures against real processes: the server is the built {@code auditflow.jar} as a child
 * process, SIGKILLed or SIGTERMed; PostgreSQL really stops — fast, immediate, or killed; Redis
 * really stops or is killed; a proxy drops answers after the server has done the work. A steady
 * stream runs through the real client; afterwards every stored event is counted by paging the
 * query API, and every scenario checks the same ledger (see {@link #ledger}) and a bound on its
 * recovery time. Figures go to target/reliability.md (copied into docs/RELIABILITY.md).
 */
class FaultToleranceIT {
  /** Events acknowledged before a fault strikes: a second of the stream, batches flowing. */
  private static final int MID_STREAM = 40;
  private static final Path REPORT = Path.of("target/reliability.md");
  /** One server for the class, started again by the next scenario if one left it down; a database per scenario. */
  private static PostgresProcess pg;
  private static final AtomicInteger scenarios = new AtomicInteger();
  private String db;
  private final HttpClient http = HttpClient.newHttpClient();

  /** What a scenario must end with, beyond the invariants every scenario checks. */
  private enum Expect {
    /** Every event acknowledged. */
    NOTHING_LOST,
    /** Some events reported lost (known not stored), none of unknown outcome. */
    LOSS_REPORTED,
    /** Some events of unknown outcome. */
    UNKNOWN_REPORTED
  }

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = new PostgresProcess(Files.createTempDirectory("auditflow-faults-pg"), RedisServerProcess.freePort()).start();
  }

  @BeforeEach
  void newDatabase() throws Exception {
    if (!pg.isRunning()) {
      pg.start();
    }
    db = pg.createDatabase("scenario_" + scenarios.incrementAndGet());
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    pg.close();
  }

  private ServerProcess server(String redisUrl, String dlqKey) throws Exception {
    return new ServerProcess(RedisServerProcess.freePort(), db, redisUrl, dlqKey);
  }

  /**
   * The checks every scenario makes, and its line in the reliability table: nothing unreported;
   * every acknowledged event stored, exactly once; nothing reported lost is stored; everything
   * stored was acknowledged or is of unknown outcome; recovery within its bound.
   */
  private void ledger(String scenario, ServerProcess server, EventStream stream, EventStream.Outcome o, int threads,
      long recoveryMs, Duration recoveryBound, Expect expect) throws Exception {
    List<String> correlations = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      correlations.add(stream.correlationPrefix + "-" + t);
      correlations.add(stream.correlationPrefix + "-b" + t);
    }
    ApiClient client = new ApiClient(server.uri(), server.adminToken(), null);
    StoredEvents.Found found = new StoredEvents(client).count(correlations);
    Set<String> stored = found.ids();
    Set<String> storedButReportedLost = new HashSet<>(o.reportedLost());
    storedButReportedLost.retainAll(stored);
    Set<String> storedUnexplained = new HashSet<>(stored);
    storedUnexplained.removeAll(o.acked());
    storedUnexplained.removeAll(o.unknown());
    String line = String.format("| %s | %d | %d | %d | %d | %d | %d | %s |", scenario, o.sent(), stored.size(),
        found.duplicates(), o.reportedLost().size(), o.unknown().size(), o.unreported(),
        recoveryMs < 0 ? "—" : recoveryMs + " ms (bound " + recoveryBound.toSeconds() + " s)");
    System.out.println("RELIABILITY " + line + " reasons=" + o.reasons());
    Files.writeString(REPORT, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);

    assertThat(o.unreported()).as("every event ended acknowledged, reported lost or unknown").isZero();
    assertThat(stored).as("every acknowledged event is stored").containsAll(o.acked());
    assertThat(found.duplicates()).as("stored exactly once").isZero();
    assertThat(storedButReportedLost).as("nothing reported lost was stored after all").isEmpty();
    assertThat(storedUnexplained).as("everything stored was acknowledged or is of unknown outcome").isEmpty();
    if (recoveryMs >= 0) {
      assertThat(Duration.ofMillis(recoveryMs)).as("recovery time").isLessThan(recoveryBound);
    }
    switch (expect) {
      case NOTHING_LOST -> {
        assertThat(o.reportedLost()).as("nothing lost").isEmpty();
        assertThat(o.unknown()).as("nothing unknown").isEmpty();
        assertThat(o.acked()).hasSize(o.sent());
      }
      case LOSS_REPORTED -> assertThat(o.reportedLost()).isNotEmpty();
      case UNKNOWN_REPORTED -> assertThat(o.unknown()).isNotEmpty();
    }
  }

  /** Time until the client has caught up: no unacknowledged event older than two seconds. */
  private static long recovery(EventStream stream, long fromNanos) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> stream.store.stats().oldestUnacknowledgedAge().compareTo(Duration.ofSeconds(2)) < 0);
    return (System.nanoTime() - fromNanos) / 1_000_000;
  }

  /** Time until the dead-letter queue is empty again. */
  private long drained(ServerProcess server, long fromNanos) {
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> dlqDepth(server) == 0);
    return (System.nanoTime() - fromNanos) / 1_000_000;
  }

  private long dlqDepth(ServerProcess server) throws Exception {
    return get(server, "/api/v1/admin/dlq").get("depth").asLong();
  }

  private JsonNode get(ServerProcess server, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path))
        .header("Authorization", "Bearer " + server.adminToken()).build();
    return AuditEventJson.mapper().readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
  }

  private static void deleteKeys(String redisUrl, String key) {
    try (RedisClient client = RedisClient.create(redisUrl); var c = client.connect()) {
      c.sync().del(key, key + ":dead");
    }
  }

  @Test
  void serverKilledAndRestartedMidStream() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      // Retries at most a second apart: the recovery measured is the server's restart, not where its
      // readiness fell in the default back-off (which reaches 6.4 s by then, and once made this 10.6 s).
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "kill", Duration.ofMinutes(2),
          AuditStoreConfig.DEFAULTS.outcomeResolutionTimeout(),
          new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, Integer.MAX_VALUE));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      server.kill();
      Thread.sleep(2_000);
      long back = System.nanoTime();
      server.start();
      long recovery = recovery(stream, back);
      ledger("1. server SIGKILLed mid-stream, restarted 2 s later", server, stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(10), Expect.NOTHING_LOST);
    }
  }

  @Test
  void postgresStoppedWithTheDeadLetterQueue() throws Exception {
    String key = TestRedis.uniqueKey("faults");
    try (ServerProcess server = server(TestRedis.url(), key)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "pg-dlq", Duration.ofMinutes(2));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      pg.stopFast();
      Thread.sleep(15_000);
      assertThat(dlqDepth(server)).as("queued during the outage").isPositive();
      long back = System.nanoTime();
      pg.start();
      long recovery = drained(server, back);
      Thread.sleep(1_000);
      ledger("2. PostgreSQL stopped (`pg_ctl -m fast`) 15 s, Redis DLQ", server, stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(12), Expect.NOTHING_LOST);
    } finally {
      deleteKeys(TestRedis.url(), key);
    }
  }

  @Test
  void postgresStoppedWithoutDeadLetterQueueShorterThanTheDeliveryTimeout() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "pg-503", Duration.ofSeconds(60));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      pg.stopFast();
      Thread.sleep(10_000);
      long back = System.nanoTime();
      pg.start();
      long recovery = recovery(stream, back);
      ledger("3. PostgreSQL stopped (`-m fast`) 10 s, no DLQ, delivery timeout 60 s", server, stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(10), Expect.NOTHING_LOST);
    }
  }

  @Test
  void outageLongerThanTheDeliveryTimeoutReportsLossesExactly() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "pg-long", Duration.ofSeconds(4));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      pg.stopFast();
      Thread.sleep(12_000);
      long back = System.nanoTime();
      pg.start();
      long recovery = recovery(stream, back);
      ledger("4. PostgreSQL stopped (`-m fast`) 12 s, no DLQ, delivery timeout 4 s", server, stream,
          stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(8), Expect.LOSS_REPORTED);
    }
  }

  @Test
  void serverSigtermDuringABurst() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "term", Duration.ofMinutes(2));
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
      long back = System.nanoTime();
      server.start();
      burst.join();
      long recovery = recovery(stream, back);
      assertThat(server.output()).contains("shutdown requested").contains("auditflow server stopped");
      // Recovery here includes the restarted JVM's start and the rest of the 8 000-event burst:
      // 6.4 s measured idle, 7.6–10.9 s with a busy core beside CI; 16 s still fails a 10 s regression.
      ledger("5. server SIGTERMed during a burst of 8 000, restarted", server, stream,
          stream.finish(Duration.ofSeconds(60)), 8, recovery, Duration.ofSeconds(16), Expect.NOTHING_LOST);
    }
  }

  @Test
  void redisKilledWithEventsQueuedInIt() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.durable().start();
        ServerProcess server = server(redis.url(), "auditflow:dlq")) {
      server.start();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> "up".equals(get(server, "/health/ready").path("dlq").asText()));
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "redis-kill", Duration.ofMinutes(2));
      pg.stopFast();
      stream.start(4, 10);
      Thread.sleep(4_000);
      stream.stopEmitting();
      await().atMost(Duration.ofSeconds(90)).until(() -> stream.store.stats().outstanding() == 0);
      long queued = dlqDepth(server);
      assertThat(queued).as("everything went to Redis").isPositive();
      redis.kill();
      redis.start();
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> dlqDepth(server) == queued);
      long back = System.nanoTime();
      pg.start();
      long recovery = drained(server, back);
      ledger("6. Redis SIGKILLed (AOF, `appendfsync always`) with events queued in it, restarted", server,
          stream, stream.finish(Duration.ofSeconds(30)), 4, recovery, Duration.ofSeconds(10), Expect.NOTHING_LOST);
    }
  }

  @Test
  void postgresPostmasterKilledMidStream() throws Exception {
    try (ServerProcess server = server(null, null)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "pg-kill", Duration.ofSeconds(60));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      pg.kill();
      Thread.sleep(5_000);
      long back = System.nanoTime();
      pg.start();
      long recovery = recovery(stream, back);
      ledger("7. PostgreSQL postmaster SIGKILLed mid-stream (crash recovery at restart 5 s later), no DLQ", server,
          stream, stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(8),
          Expect.NOTHING_LOST);
    }
  }

  @Test
  void postgresImmediateShutdownWithTheDeadLetterQueue() throws Exception {
    String key = TestRedis.uniqueKey("faults");
    try (ServerProcess server = server(TestRedis.url(), key)) {
      server.start();
      EventStream stream = new EventStream(server.uri(), server.adminToken(), "pg-immediate", Duration.ofMinutes(2));
      stream.start(4, 10);
      stream.awaitAcknowledged(MID_STREAM);
      pg.stopImmediate();
      Thread.sleep(8_000);
      long back = System.nanoTime();
      pg.start();
      long recovery = drained(server, back);
      Thread.sleep(1_000);
      ledger("8. PostgreSQL immediate shutdown (SIGQUIT, as `pg_ctl -m immediate`) 8 s, Redis DLQ", server,
          stream, stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(12), Expect.NOTHING_LOST);
    } finally {
      deleteKeys(TestRedis.url(), key);
    }
  }

  @Test
  void answersDroppedAfterTheServerStoredTheEventsAreResolvedByReSending() throws Exception {
    try (ServerProcess server = server(null, null);
        CuttingProxy proxy = new CuttingProxy("127.0.0.1", server.uri().getPort())) {
      server.start();
      URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port());
      EventStream stream = new EventStream(viaProxy, server.adminToken(), "cut", Duration.ofSeconds(60));
      stream.start(4, 10);
      Thread.sleep(2_000);
      proxy.cutEveryTime("POST /api/v1/audit/events/batch");
      Thread.sleep(4_000);
      proxy.disarm();
      long back = System.nanoTime();
      long recovery = recovery(stream, back);
      assertThat(proxy.cuts()).as("answers dropped").isPositive();
      ledger("9. a proxy drops every answer for 4 s after the server stored the batch; delivery timeout 60 s", server,
          stream, stream.finish(Duration.ofSeconds(60)), 4, recovery, Duration.ofSeconds(8),
          Expect.NOTHING_LOST);
    }
  }

  @Test
  void answersDroppedLongerThanDeliveryAndResolutionEndUnknownNeverLost() throws Exception {
    try (ServerProcess server = server(null, null);
        CuttingProxy proxy = new CuttingProxy("127.0.0.1", server.uri().getPort())) {
      server.start();
      URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port());
      EventStream stream = new EventStream(viaProxy, server.adminToken(), "cut-long", Duration.ofSeconds(3),
          Duration.ofSeconds(3));
      proxy.cutEveryTime("POST /api/v1/audit/events/batch");
      stream.start(4, 10);
      Thread.sleep(10_000);
      proxy.disarm();
      ledger("10. a proxy drops every answer for 10 s; delivery timeout 3 s + outcome resolution 3 s", server,
          stream, stream.finish(Duration.ofSeconds(60)), 4, -1, Duration.ZERO, Expect.UNKNOWN_REPORTED);
    }
  }
}
