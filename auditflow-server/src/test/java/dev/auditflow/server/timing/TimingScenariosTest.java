package dev.auditflow.server.timing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditDeliveryException;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.DeliveryHandle;
import dev.auditflow.client.LogCapture;
import dev.auditflow.client.OverflowPolicy;
import dev.auditflow.client.RetryPolicy;
import dev.auditflow.client.http.BearerToken;
import dev.auditflow.client.http.HttpBatchTransport;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The incident's questions (docs/ARCHITECTURE.md, lessons 1–8) as timing scenarios, end to end: the client library →
 * real HTTP server → real PostgreSQL → the query API, with the seed configuration (buffer 100,
 * batch 10, flush interval 1 s, 3 attempts). Each scenario has a time bound tight enough that a
 * regression of a second shows (the interval plus at most half a second where one event waits
 * for the interval); measured values are printed.
 */
class TimingScenariosTest {
  private static final Duration FLUSH = Duration.ofSeconds(1);

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();
  private static String WRITER;

  @BeforeAll
  static void writerToken() {
    WRITER = fx.token(Role.WRITER);
  }

  /** The seed configuration of the incident's test suite. */
  private static AuditStoreBuilder seed(URI endpoint, RecordingTransport[] recorder) {
    recorder[0] = new RecordingTransport(new HttpBatchTransport(endpoint, BearerToken.of(WRITER), null));
    return AuditStore.builder()
        .transport(recorder[0])
        .bufferSize(100)
        .batchSize(10)
        .flushInterval(FLUSH)
        .retryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, 3));
  }

  private static AuditEvent event(String correlationId) {
    return AuditEvent.builder().eventType("timing.event.emitted").eventTimestamp(Instant.now())
        .eventCategory("timing").eventAction("emit").eventOutcome(EventOutcome.SUCCESS)
        .correlationId(correlationId).eventData(Map.of("k", "v")).build();
  }

  private static long count(String correlationId) {
    return fx.get("/api/v1/audit/events/count?correlation_id=" + correlationId).json().get("count").asLong();
  }

  /** Pages through every event of a correlation; the incident counted one page of 50. */
  private static Set<String> pageAll(String correlationId) {
    Set<String> ids = new HashSet<>();
    String cursor = null;
    int rows = 0;
    do {
      JsonNode page = fx.get("/api/v1/audit/events?correlation_id=" + correlationId + "&limit=37"
          + (cursor == null ? "" : "&cursor=" + cursor)).json();
      for (JsonNode e : page.get("data")) {
        ids.add(e.get("event_id").asText());
        rows++;
      }
      cursor = page.get("pagination").get("has_more").asBoolean() ? page.get("pagination").get("next_cursor").asText() : null;
    } while (cursor != null);
    assertThat(rows).as("no event is listed twice").isEqualTo(ids.size());
    return ids;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  @Test
  void scenario1_oneEventIsQueryableAfterAboutTheFlushInterval() {
    RecordingTransport[] rec = new RecordingTransport[1];
    try (AuditStore store = seed(fx.baseUri(), rec).build()) {
      long start = System.nanoTime();
      store.store(event("s1"));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> count("s1") == 1);
      long took = System.nanoTime() - start;
      System.out.printf("scenario 1: single event queryable after %.0f ms (flush interval %d ms)%n", ms(took), FLUSH.toMillis());
      assertThat(Duration.ofNanos(took)).isLessThan(FLUSH.plusMillis(500));
      // It waited for the interval (time trigger), it was not sent by something else.
      assertThat(rec[0].sends.get(0).startNanos() - start).isGreaterThanOrEqualTo(FLUSH.toNanos());
    }
  }

  @Test
  void scenario2_aTrickleIsSentInSteadyIntervals() throws Exception {
    RecordingTransport[] rec = new RecordingTransport[1];
    try (AuditStore store = seed(fx.baseUri(), rec).build()) {
      for (int i = 0; i < 30; i++) {
        store.store(event("s2"));
        Thread.sleep(200);
      }
      store.flush(Duration.ofSeconds(10));
    }
    List<RecordingTransport.Send> sends = rec[0].sends;
    List<Long> gaps = new ArrayList<>();
    // The last send is the flush; between the others the gap is the interval plus at most one trickle step.
    for (int i = 1; i < sends.size() - 1; i++) {
      gaps.add(TimeUnit.NANOSECONDS.toMillis(sends.get(i).startNanos() - sends.get(i - 1).startNanos()));
    }
    System.out.println("scenario 2: gaps between sends (ms) " + gaps + ", batch sizes "
        + sends.stream().map(RecordingTransport.Send::size).toList());
    // The interval, plus at most one 200 ms trickle step, plus scheduling slack on a loaded machine.
    assertThat(gaps).hasSizeGreaterThanOrEqualTo(3).allSatisfy(gap -> assertThat(gap).isBetween(950L, 1_500L));
    assertThat(count("s2")).isEqualTo(30);
  }

  @Test
  void scenario3_everythingStoredBeforeCloseIsQueryableWhenItReturns() {
    RecordingTransport[] rec = new RecordingTransport[1];
    AuditStore store = seed(fx.baseUri(), rec).flushInterval(Duration.ofSeconds(30)).build();
    for (int i = 0; i < 57; i++) {
      store.store(event("s3"));
    }
    long start = System.nanoTime();
    var report = store.close(Duration.ofSeconds(30));
    long took = System.nanoTime() - start;
    System.out.printf("scenario 3: close drained 57 events in %.0f ms (flush interval 30 s)%n", ms(took));
    assertThat(report.lost()).isZero();
    assertThat(report.unknown()).isZero();
    assertThat(count("s3")).isEqualTo(57);
    // Six batches to a local server: close does not wait for the 30 s interval, nor anything like it.
    assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void scenario4_aFullBatchGoesAtOnce() {
    RecordingTransport[] rec = new RecordingTransport[1];
    try (LogCapture logs = new LogCapture(Level.DEBUG); AuditStore store = seed(fx.baseUri(), rec).build()) {
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        store.store(event("s4"));
      }
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> count("s4") == 10);
      long took = System.nanoTime() - start;
      System.out.printf("scenario 4: full batch queryable after %.0f ms (flush interval %d ms)%n", ms(took), FLUSH.toMillis());
      assertThat(Duration.ofNanos(took)).isLessThan(FLUSH);
      assertThat(logs.messages(Level.DEBUG)).anySatisfy(m -> assertThat(m).contains("trigger=size").contains("batch_size=10"));
    }
  }

  private static List<DeliveryHandle> burst(AuditStore store, String correlationId) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<DeliveryHandle>>> futures = new ArrayList<>();
    for (int t = 0; t < 50; t++) {
      futures.add(pool.submit(() -> {
        go.await();
        List<DeliveryHandle> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          mine.add(store.store(event(correlationId)));
        }
        return mine;
      }));
    }
    go.countDown();
    List<DeliveryHandle> all = new ArrayList<>();
    for (var f : futures) {
      all.addAll(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    return all;
  }

  @Test
  void scenario5_burstWithBackpressureLosesNothing() throws Exception {
    RecordingTransport[] rec = new RecordingTransport[1];
    try (AuditStore store = seed(fx.baseUri(), rec).overflowPolicy(OverflowPolicy.BLOCK).overflowTimeout(Duration.ofSeconds(30)).build()) {
      long start = System.nanoTime();
      List<DeliveryHandle> handles = burst(store, "s5-block");
      store.flush(Duration.ofSeconds(30));
      long took = System.nanoTime() - start;
      System.out.printf("scenario 5 (block): 500 events stored in %.0f ms%n", ms(took));
      assertThat(handles).hasSize(500).allMatch(DeliveryHandle::isAcknowledged);
      // 50 requests of 10 on two senders: well under a second each; a stall of seconds shows.
      assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(8));
    }
    assertThat(count("s5-block")).isEqualTo(500);
    assertThat(pageAll("s5-block")).hasSize(500);
  }

  @Test
  void scenario5_burstWithDropsReportsEveryDrop() throws Exception {
    RecordingTransport[] rec = new RecordingTransport[1];
    long dropped;
    List<DeliveryHandle> handles;
    try (AuditStore store = seed(fx.baseUri(), rec).overflowPolicy(OverflowPolicy.DROP).build()) {
      long start = System.nanoTime();
      handles = burst(store, "s5-drop");
      long burstTook = System.nanoTime() - start;
      // Dropping never waits: 50 threads × 10 calls return at once.
      assertThat(Duration.ofNanos(burstTook)).isLessThan(Duration.ofSeconds(2));
      try {
        store.flush(Duration.ofSeconds(30));
      } catch (dev.auditflow.client.AuditFlushException e) {
        // flush covers only what was enqueued; drops were never enqueued.
        throw new AssertionError(e);
      }
      dropped = store.stats().dropped();
    }
    long reportedDrops = handles.stream()
        .filter(h -> h.failure().map(e -> e.reason() == AuditDeliveryException.Reason.BUFFER_FULL).orElse(false)).count();
    long stored = count("s5-drop");
    System.out.printf("scenario 5 (drop): stored %d + dropped %d = %d%n", stored, dropped, stored + dropped);
    assertThat(reportedDrops).isEqualTo(dropped);
    assertThat(stored + dropped).isEqualTo(500);
    assertThat(pageAll("s5-drop")).hasSize((int) stored);
  }

  @Test
  void scenario6_aSlowServerIsNamedAsTheCauseAndEventsStillArriveInBounds() throws Exception {
    Duration writeDelay = Duration.ofMillis(2_500);
    RecordingTransport[] rec = new RecordingTransport[1];
    int n = 40;
    long[] emitted = new long[n];
    long[] acknowledged = new long[n];
    try (SlowProxy proxy = new SlowProxy(fx.baseUri(), writeDelay);
        LogCapture logs = new LogCapture();
        AuditStore store = seed(proxy.uri(), rec).build()) {
      List<DeliveryHandle> handles = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        emitted[i] = System.nanoTime();
        DeliveryHandle handle = store.store(event("s6"));
        handle.completion().thenRun(() -> acknowledged[index] = System.nanoTime());
        handles.add(handle);
        Thread.sleep(100);
      }
      for (DeliveryHandle handle : handles) {
        handle.await(Duration.ofSeconds(60));
      }
      List<String> warnings = logs.messages(Level.WARN);
      System.out.println("scenario 6: client warnings " + warnings);
      assertThat(warnings).anySatisfy(w -> assertThat(w).contains("slow write").contains("cause=server"));
      assertThat(warnings).noneMatch(w -> w.contains("scheduler woke late"));
    }
    // Each event: the flush interval, its own write, and at worst one more write ahead of it on a
    // busy sender — plus a second of slack for a loaded machine. No 50-90 s.
    long bound = FLUSH.toNanos() + 2 * writeDelay.toNanos() + Duration.ofSeconds(1).toNanos();
    long worst = 0;
    for (int i = 0; i < n; i++) {
      worst = Math.max(worst, acknowledged[i] - emitted[i]);
    }
    System.out.printf("scenario 6: worst emit->ack %.0f ms with %d ms per write (bound %.0f ms), write durations %s%n",
        ms(worst), writeDelay.toMillis(), ms(bound),
        rec[0].sends.stream().map(x -> TimeUnit.NANOSECONDS.toMillis(x.endNanos() - x.startNanos())).toList());
    assertThat(worst).isLessThan(bound);
    assertThat(count("s6")).isEqualTo(n);
  }
}
