package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hardening finding 6a, with the reviewer's numbers: twelve readers verifying time ranges in
 * parallel held every pool connection for 13-22 s; ingest answered 503 and {@code /health} went
 * DOWN. Reads now have their own pool and each principal its own limit: while two readers run six
 * verifications each, without pause, ingest and health answer as usual.
 */
class ReadIsolationTest {
  private static final int CHAINS = 1_000;
  private static final Duration LOAD = Duration.ofSeconds(6);

  /** Four reads per principal (eight by default), so that each reader's six requests meet the limit. */
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.limits(new RequestLimits(
      RequestLimits.defaults().headerTimeout(), 4, 4, RequestLimits.DEFAULT_MAX_ANSWER_BYTES, 1_000)));

  @Test
  void ingestAndHealthDoNotStarveBehindReaders() throws Exception {
    Instant start = Instant.now().minusSeconds(120);
    ArrayNode batch = EventJson.array();
    for (int i = 0; i < 5 * CHAINS; i++) {
      batch.add(EventJson.valid("range-" + (i % CHAINS), start.plusMillis(i)));
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    String range = "{\"since\":\"" + Timestamps.format(start.minusSeconds(1)) + "\",\"until\":\""
        + Timestamps.format(start.plusSeconds(30)) + "\"}";
    List<String> readers = List.of(fx.token(Role.READER), fx.token(Role.READER));

    long deadline = System.nanoTime() + LOAD.toNanos();
    Map<Integer, AtomicInteger> verifyAnswers = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(14);
    List<Future<?>> load = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      String token = readers.get(t % 2);
      load.add(pool.submit(() -> {
        while (System.nanoTime() < deadline) {
          int status = fx.send(java.net.http.HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/verify"))
              .header("Content-Type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(range)), token).status();
          verifyAnswers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
        }
      }));
    }
    List<Long> ingestMillis = Collections.synchronizedList(new ArrayList<>());
    List<Integer> ingestStatuses = Collections.synchronizedList(new ArrayList<>());
    List<String> health = Collections.synchronizedList(new ArrayList<>());
    Future<?> writer = pool.submit(() -> {
      while (System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        ingestStatuses.add(fx.postJson("/api/v1/audit/events", EventJson.valid("while-reading").toString()).status());
        ingestMillis.add((System.nanoTime() - t0) / 1_000_000);
        sleep(25);
      }
    });
    Future<?> prober = pool.submit(() -> {
      while (System.nanoTime() < deadline) {
        var r = fx.get("/health/ready");
        health.add(r.status() + " " + r.json().path("status").asText());
        sleep(100);
      }
    });
    writer.get();
    prober.get();
    for (Future<?> f : load) {
      f.get();
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(verifyAnswers.get(200)).as("the readers did read: " + verifyAnswers).isNotNull();
    assertThat(verifyAnswers.get(429)).as("each reader ran six at once; four may run: " + verifyAnswers).isNotNull();
    assertThat(ingestStatuses).as("ingest, while the readers ran").isNotEmpty().containsOnly(201);
    assertThat(health).isNotEmpty().containsOnly("200 UP");
    List<Long> sorted = new ArrayList<>(ingestMillis);
    Collections.sort(sorted);
    long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    // Measured 20-120 ms on the 2-core CI machine with both cores busy verifying; starved, each
    // write waited out the 3 s connection timeout and failed.
    System.out.printf("read isolation: verify answers %s, ingest %d writes p50 %d ms p99 %d ms max %d ms, health %d probes%n",
        verifyAnswers, sorted.size(), sorted.get(sorted.size() / 2), p99, sorted.get(sorted.size() - 1), health.size());
    assertThat(p99).as("ingest p99 ms while readers saturate, of " + sorted.size()).isLessThan(1_000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
