package dev.auditflow.client;

import static dev.auditflow.client.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's own logic against a scripted transport. Bounds on time are generous on purpose: the
 * assertions are about what happens and in which order, with time only as a coarse limit, so a
 * loaded two-core CI machine does not make them flaky. Speed is measured in auditflow-bench.
 */
class BufferedAuditStoreTest {
  private final List<AuditStore> stores = new ArrayList<>();

  private AuditStore build(AuditStoreBuilder builder) {
    AuditStore store = builder.build();
    stores.add(store);
    return store;
  }

  private static AuditStoreBuilder builder(FakeTransport transport) {
    return AuditStore.builder().transport(transport).retryPolicy(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 0.2, Integer.MAX_VALUE));
  }

  @AfterEach
  void closeStores() {
    stores.forEach(s -> s.close(Duration.ofSeconds(10)));
  }

  @Test
  void fullBatchIsSentAtOnceWithoutWaitingForTheInterval() {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = build(builder(transport).batchSize(10).bufferSize(100).flushInterval(Duration.ofMinutes(10)));
    long start = System.nanoTime();
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      handles.add(store.store(event("c")));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> handles.stream().allMatch(DeliveryHandle::isAcknowledged));
    assertThat(transport.log).hasSize(1);
    // The interval is 10 minutes: a send within 2 s can only have been triggered by the size.
    assertThat(Duration.ofNanos(transport.log.get(0).startNanos() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(transport.log.get(0).batch()).hasSize(10);
  }

  @Test
  void partialBatchIsSentWhenItsOldestEventReachesTheFlushInterval() throws Exception {
    FakeTransport transport = FakeTransport.acking();
    Duration interval = Duration.ofMillis(500);
    AuditStore store = build(builder(transport).batchSize(100).bufferSize(1000).flushInterval(interval));
    long first = System.nanoTime();
    DeliveryHandle a = store.store(event("c"));
    Thread.sleep(200); // a second event later must not push the deadline back
    DeliveryHandle b = store.store(event("c"));
    a.await(Duration.ofSeconds(30));
    b.await(Duration.ofSeconds(30));
    FakeTransport.Call sent = transport.log.get(0);
    long sentAfter = sent.startNanos() - first;
    assertThat(sent.batch()).hasSize(2);
    // Sent no earlier than the first event's deadline: the trigger is time, not size — and not much
    // later either (a timer late by seconds, or a deadline taken from the second event, fails here).
    assertThat(sentAfter).isGreaterThanOrEqualTo(interval.toNanos());
    assertThat(Duration.ofNanos(sentAfter)).as("sent after").isLessThan(interval.plusMillis(400));
    assertThat(transport.log).hasSize(1);
  }

  @Test
  void slowWriteDoesNotHoldBackTheNextBatchWhileASenderIsFree() throws Exception {
    // First call takes 3 s; the rest are fast. With 2 senders the second batch must not wait for the first.
    FakeTransport transport = new FakeTransport((call, batch) -> {
      if (call == 1) {
        Thread.sleep(3_000);
      }
      return new BatchAck(batch.size(), 0, false);
    });
    AuditStore store = build(builder(transport).batchSize(5).bufferSize(100).flushInterval(Duration.ofMillis(200)).maxInFlightBatches(2));
    List<DeliveryHandle> first = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      first.add(store.store(event("slow")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> transport.calls() == 1);
    long stored = System.nanoTime();
    DeliveryHandle second = store.store(event("fast"));
    second.await(Duration.ofSeconds(30));
    // Its own flush interval (200 ms) and a free sender: well inside the first write's 3 s.
    assertThat(Duration.ofNanos(System.nanoTime() - stored)).isLessThan(Duration.ofMillis(1_200));
    // The second event was acknowledged while the first batch was still being written.
    assertThat(first).noneMatch(DeliveryHandle::isDone);
    for (DeliveryHandle h : first) {
      h.await(Duration.ofSeconds(30));
    }
    assertThat(transport.maxConcurrent.get()).isEqualTo(2);
  }

  @Test
  void inFlightLimitIsRespectedAndLagIsBlamedOnBusySenders() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      FakeTransport transport = FakeTransport.slow(Duration.ofMillis(700));
      AuditStore store = build(builder(transport).batchSize(1).bufferSize(100).flushInterval(Duration.ofMillis(100)).maxInFlightBatches(2));
      List<DeliveryHandle> handles = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        handles.add(store.store(event("c")));
      }
      for (DeliveryHandle h : handles) {
        h.await(Duration.ofSeconds(30));
      }
      assertThat(transport.maxConcurrent.get()).isEqualTo(2);
      assertThat(logs.messages(Level.WARN)).anySatisfy(m -> assertThat(m).contains("flush lag").contains("senders busy"));
      assertThat(logs.messages(Level.WARN)).noneMatch(m -> m.contains("scheduler woke late"));
    }
  }

  @Test
  void slowWriteIsLoggedWithItsDuration() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      FakeTransport transport = FakeTransport.slow(Duration.ofMillis(300));
      AuditStore store = build(builder(transport).slowWriteThreshold(Duration.ofMillis(100)).flushInterval(Duration.ofMillis(50)));
      store.store(event("c")).await(Duration.ofSeconds(30));
      assertThat(logs.messages(Level.WARN)).anySatisfy(m -> assertThat(m).contains("slow write").contains("cause=server"));
    }
  }

  @Test
  void retryableFailuresAreRetriedUntilSuccess() throws Exception {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      if (call <= 2) {
        throw TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "db down"), null);
      }
      return new BatchAck(batch.size(), 0, false);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofMillis(50)));
    DeliveryHandle h = store.store(event("c"));
    h.await(Duration.ofSeconds(30));
    assertThat(transport.calls()).isEqualTo(3);
    // Every attempt carried the same event id: the server can deduplicate retries.
    assertThat(transport.log).allSatisfy(c -> assertThat(c.batch().get(0).eventId()).isEqualTo(h.eventId()));
    assertThat(store.stats().acknowledged()).isEqualTo(1);
  }

  @Test
  void retriesStopAtTheDeliveryTimeoutAndTheEventFailsWithTheLastError() throws Exception {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw TransportException.notSent("connection refused", null);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofMillis(50))
        .requestTimeout(Duration.ofMillis(200)).deliveryTimeout(Duration.ofMillis(800)));
    DeliveryHandle h = store.store(event("c"));
    assertThatThrownBy(() -> h.await(Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(AuditDeliveryException.class, e -> {
          assertThat(e.reason()).isEqualTo(AuditDeliveryException.Reason.DELIVERY_TIMEOUT);
          assertThat(e.getMessage()).contains("connection refused");
          assertThat(e.attempts()).isGreaterThan(1);
        });
    assertThat(store.stats().failed()).isEqualTo(1);
    assertThat(store.stats().outstanding()).isZero();
  }

  @Test
  void maxAttemptsBoundsRetriesByCount() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "database down"), null);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofMillis(50))
        .retryPolicy(new RetryPolicy(Duration.ofMillis(5), Duration.ofMillis(5), 0, 3)));
    DeliveryHandle h = store.store(event("c"));
    await().atMost(Duration.ofSeconds(30)).until(h::isDone);
    assertThat(h.failure()).get().extracting(AuditDeliveryException::reason).isEqualTo(AuditDeliveryException.Reason.RETRIES_EXHAUSTED);
    assertThat(transport.calls()).isEqualTo(3);
  }

  @Test
  void permanentClientErrorFailsAtOnceWithTheServersProblem() {
    Problem problem = Problem.of(ProblemType.VALIDATION_ERROR, "event_type is required");
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw TransportException.http(400, problem, null);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofMillis(50)));
    DeliveryHandle h = store.store(event("c"));
    await().atMost(Duration.ofSeconds(30)).until(h::isDone);
    assertThat(h.failure()).get().satisfies(e -> {
      assertThat(e.reason()).isEqualTo(AuditDeliveryException.Reason.REJECTED);
      assertThat(e.problem()).contains(problem);
      assertThat(e.attempts()).isEqualTo(1);
    });
    assertThat(transport.calls()).isEqualTo(1);
  }

  @Test
  void blockPolicyLosesNothingUnderABurst() throws Exception {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = build(builder(transport).bufferSize(100).batchSize(10).flushInterval(Duration.ofMillis(100))
        .overflowPolicy(OverflowPolicy.BLOCK).overflowTimeout(Duration.ofSeconds(30)));
    List<DeliveryHandle> handles = burst(store, 50, 1_000);
    store.flush(Duration.ofSeconds(60));
    assertThat(handles).hasSize(50_000).allMatch(DeliveryHandle::isAcknowledged);
    AuditStoreStats stats = store.stats();
    assertThat(stats.acknowledged()).isEqualTo(50_000);
    assertThat(stats.dropped()).isZero();
    assertThat(transport.eventsDelivered()).isEqualTo(50_000);
    assertThat(transport.log).allSatisfy(c -> assertThat(c.batch().size()).isLessThanOrEqualTo(10));
  }

  @Test
  void dropPolicyAccountsForEveryEventUnderABurst() throws Exception {
    FakeTransport transport = FakeTransport.slow(Duration.ofMillis(2));
    try (LogCapture logs = new LogCapture()) {
      AuditStore store = build(builder(transport).bufferSize(100).batchSize(10).flushInterval(Duration.ofMillis(100))
          .overflowPolicy(OverflowPolicy.DROP));
      List<DeliveryHandle> handles = burst(store, 50, 1_000);
      store.flush(Duration.ofSeconds(60));
      long acked = handles.stream().filter(DeliveryHandle::isAcknowledged).count();
      long droppedHandles = handles.stream()
          .filter(h -> h.failure().map(e -> e.reason() == AuditDeliveryException.Reason.BUFFER_FULL).orElse(false))
          .count();
      AuditStoreStats stats = store.stats();
      assertThat(acked + droppedHandles).isEqualTo(50_000);
      assertThat(stats.acknowledged()).isEqualTo(acked);
      assertThat(stats.dropped()).isEqualTo(droppedHandles);
      assertThat(transport.eventsDelivered()).isEqualTo(acked);
      assertThat(droppedHandles).isPositive();
      // Rate-limited: far fewer lines than drops, but at least one, with the count.
      assertThat(logs.messages(Level.WARN).stream().filter(m -> m.contains("dropped")).toList())
          .isNotEmpty()
          .hasSizeLessThan(10)
          .allSatisfy(m -> assertThat(m).contains("count_since_last_warning="));
    }
  }

  private static List<DeliveryHandle> burst(AuditStore store, int threads, int perThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<DeliveryHandle>>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String correlation = "thread-" + t;
      futures.add(pool.submit(() -> {
        start.await();
        List<DeliveryHandle> mine = new ArrayList<>(perThread);
        for (int i = 0; i < perThread; i++) {
          mine.add(store.store(event(correlation)));
        }
        return mine;
      }));
    }
    start.countDown();
    List<DeliveryHandle> all = new ArrayList<>();
    for (Future<List<DeliveryHandle>> f : futures) {
      all.addAll(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();
    return all;
  }

  @Test
  void flushSendsQueuedEventsWithoutWaitingForTheInterval() throws Exception {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = build(builder(transport).batchSize(100).bufferSize(1000).flushInterval(Duration.ofHours(1)));
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      handles.add(store.store(event("c")));
    }
    store.flush(Duration.ofSeconds(30));
    assertThat(handles).allMatch(DeliveryHandle::isAcknowledged);
    assertThat(transport.eventsDelivered()).isEqualTo(250);
    assertThat(store.stats().queueDepth()).isZero();
  }

  @Test
  void flushReportsAFailedWrite() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw TransportException.http(422, Problem.of(ProblemType.VALIDATION_ERROR, "no"), null);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofHours(1)));
    for (int i = 0; i < 3; i++) {
      store.store(event("c"));
    }
    assertThatThrownBy(() -> store.flush(Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(AuditFlushException.class, e -> {
          assertThat(e.covered()).isEqualTo(3);
          assertThat(e.failed()).isEqualTo(3);
          assertThat(e.unacknowledged()).isZero();
        });
  }

  @Test
  void flushTimeoutReportsWhatIsStillUnacknowledged() {
    FakeTransport transport = FakeTransport.slow(Duration.ofSeconds(3));
    AuditStore store = build(builder(transport).flushInterval(Duration.ofHours(1)));
    store.store(event("c"));
    assertThatThrownBy(() -> store.flush(Duration.ofMillis(200)))
        .isInstanceOfSatisfying(AuditFlushException.class, e -> assertThat(e.unacknowledged()).isEqualTo(1));
  }

  @Test
  void closeDrainsEverythingBuffered() {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = builder(transport).batchSize(10).bufferSize(1000).flushInterval(Duration.ofHours(1)).build();
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 95; i++) {
      handles.add(store.store(event("c")));
    }
    CloseReport report = store.close(Duration.ofSeconds(30));
    assertThat(report.completed()).isTrue();
    assertThat(report.acknowledged()).isEqualTo(95);
    assertThat(report.lost()).isZero();
    assertThat(handles).allMatch(DeliveryHandle::isAcknowledged);
    assertThat(store.close(Duration.ofSeconds(1))).isEqualTo(report); // idempotent
  }

  @Test
  void closeThatRunsOutOfTimeReportsExactlyWhatWasLostAndWhatIsUnknown() {
    FakeTransport transport = FakeTransport.slow(Duration.ofSeconds(20));
    AuditStore store = builder(transport).batchSize(10).bufferSize(1000).flushInterval(Duration.ofMillis(10)).build();
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      handles.add(store.store(event("c")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> transport.concurrent.get() == 2);
    CloseReport report = store.close(Duration.ofMillis(500));
    assertThat(report.completed()).isFalse();
    // Two batches of 10 were being sent when close gave up: the server may have them. The other
    // 30 never left the buffer: certainly lost.
    assertThat(report.unknown()).isEqualTo(20);
    assertThat(report.failed()).isEqualTo(30);
    assertThat(report.lost()).isEqualTo(30);
    Set<UUID> sent = transport.startedEventIds();
    assertThat(handles).allSatisfy(h -> assertThat(h.failure()).get().extracting(AuditDeliveryException::reason)
        .isEqualTo(sent.contains(h.eventId()) ? AuditDeliveryException.Reason.OUTCOME_UNKNOWN
            : AuditDeliveryException.Reason.CLOSED_BEFORE_DELIVERY));
  }

  @Test
  void closeCompletesEveryHandleEvenWhenASenderIgnoresInterruption() throws Exception {
    // A transport stuck in a call that does not answer interrupts (a blocking socket write, say):
    // before the fix, close returned with that batch's handles forever pending.
    CountDownLatch release = new CountDownLatch(1);
    FakeTransport transport = new FakeTransport((call, batch) -> {
      while (true) {
        try {
          release.await();
          return new BatchAck(batch.size(), 0, false);
        } catch (InterruptedException ignored) {
          // keeps waiting, as an uninterruptible call would
        }
      }
    });
    AuditStore store = builder(transport).batchSize(5).bufferSize(100).flushInterval(Duration.ofMillis(10))
        .maxInFlightBatches(1).build();
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      handles.add(store.store(event("c")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> transport.calls() == 1);
    CloseReport report = store.close(Duration.ofMillis(200));
    assertThat(handles).allMatch(DeliveryHandle::isDone);
    assertThat(report.unknown()).isEqualTo(5);
    assertThat(report.failed()).isEqualTo(7);
    // The stuck call returns later: the batch is settled already and is not counted twice.
    release.countDown();
    Thread.sleep(200);
    AuditStoreStats stats = store.stats();
    assertThat(stats.acknowledged()).isZero();
    assertThat(stats.unknown() + stats.failed()).isEqualTo(12);
    assertThat(handles).noneMatch(DeliveryHandle::isAcknowledged);
  }

  @Test
  void closeRemovesTheShutdownHookItRegistered() {
    BufferedAuditStore store = (BufferedAuditStore) builder(FakeTransport.acking())
        .closeOnShutdown(Duration.ofSeconds(1)).build();
    Thread hook = store.shutdownHook();
    assertThat(hook).isNotNull();
    store.close(Duration.ofSeconds(5));
    // removeShutdownHook answers false when the hook is no longer registered.
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("hook still registered after close").isFalse();
  }

  @Test
  void storeAfterCloseThrowsAndIsCounted() {
    AuditStore store = builder(FakeTransport.acking()).build();
    store.close(Duration.ofSeconds(5));
    assertThatThrownBy(() -> store.store(event("c"))).isInstanceOf(AuditStoreClosedException.class);
    assertThat(store.stats().rejectedAfterClose()).isEqualTo(1);
  }

  @Test
  void concurrentCloseAndStoreEitherAcceptOrThrowTheDocumentedException() throws Exception {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = builder(transport).bufferSize(100).batchSize(10).flushInterval(Duration.ofMillis(20)).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<DeliveryHandle> handles = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      pool.submit(() -> {
        start.await();
        for (int i = 0; i < 5_000; i++) {
          try {
            handles.add(store.store(event("c")));
            accepted.incrementAndGet();
          } catch (AuditStoreClosedException e) {
            refused.incrementAndGet();
          } catch (Throwable e) {
            unexpected.add(e);
          }
        }
        return null;
      });
    }
    start.countDown();
    Thread.sleep(20);
    CloseReport report = store.close(Duration.ofSeconds(30));
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(unexpected).isEmpty();
    assertThat(accepted.get() + refused.get()).isEqualTo(40_000);
    AuditStoreStats stats = store.stats();
    assertThat(stats.rejectedAfterClose()).isEqualTo(refused.get());
    // Everything accepted was either acknowledged or dropped (buffer full), none left hanging.
    assertThat(handles).allMatch(DeliveryHandle::isDone);
    assertThat(report.acknowledged() + report.dropped()).isEqualTo(accepted.get());
  }

  @Test
  void invalidEventIsRejectedSynchronouslyAndNeverBuffered() {
    FakeTransport transport = FakeTransport.acking();
    AuditStore store = build(builder(transport));
    AuditEvent bad = event("c").toBuilder().eventType(null).build();
    assertThatThrownBy(() -> store.store(bad))
        .isInstanceOfSatisfying(InvalidAuditEventException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("event_type"));
    assertThat(store.stats().invalid()).isEqualTo(1);
    assertThat(store.stats().enqueued()).isZero();
    assertThat(store.stats().queueDepth()).isZero();
  }

  @Test
  void statsReportTheOldestUnacknowledgedEventAge() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FakeTransport transport = new FakeTransport((call, batch) -> {
      release.await();
      return new BatchAck(batch.size(), 0, false);
    });
    AuditStore store = build(builder(transport).flushInterval(Duration.ofMillis(10)));
    DeliveryHandle h = store.store(event("c"));
    await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().inFlightBatches() == 1);
    Thread.sleep(300);
    AuditStoreStats stats = store.stats();
    assertThat(stats.oldestUnacknowledgedAge()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(stats.inFlightEvents()).isEqualTo(1);
    release.countDown();
    h.await(Duration.ofSeconds(10));
    assertThat(store.stats().oldestUnacknowledgedAge()).isZero();
  }
}
