package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The store's timing rules on {@link FakeTime}: deterministic to the nanosecond, and instant —
 * no test here waits on a real clock. (The real-time suites — {@code BufferedAuditStoreTest},
 * and the end-to-end timing scenarios in auditflow-server — keep checking the same rules with
 * threads, loosely.)
 */
class FakeTimeStoreTest {
  private final FakeTime time = new FakeTime();
  /** When (on the fake clock) each call reached the transport, and how many events it carried. */
  private final List<long[]> calls = new ArrayList<>();
  private final long start = time.nanoTime();

  private AuditStoreBuilder builder(FakeTransport.Behaviour behaviour) {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      calls.add(new long[] {time.nanoTime() - start, batch.size()});
      return behaviour.answer(call, batch);
    });
    return AuditStore.builder().transport(transport).runtime(time)
        .retryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 0, Integer.MAX_VALUE));
  }

  private static long ms(long nanos) {
    return Duration.ofNanos(nanos).toMillis();
  }

  private List<Long> callTimesMs() {
    return calls.stream().map(c -> ms(c[0])).toList();
  }

  private static TransportException unavailable() {
    return TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "database down"), null);
  }

  @Test
  void aPartialBatchLeavesExactlyWhenItsOldestEventHasWaitedTheFlushInterval() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(100).flushInterval(Duration.ofSeconds(1)).build();
    store.store(Events.event("a"));
    time.advance(Duration.ofMillis(999));
    assertThat(calls).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(callTimesMs()).containsExactly(1000L);

    time.advance(Duration.ofMillis(500));
    DeliveryHandle second = store.store(Events.event("b")); // due at 2 500
    time.advance(Duration.ofMillis(700));
    DeliveryHandle third = store.store(Events.event("c")); // due at 3 200, but leaves with the second
    time.advance(Duration.ofMillis(299));
    assertThat(calls).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(callTimesMs()).containsExactly(1000L, 2500L);
    assertThat(calls.get(1)[1]).isEqualTo(2);
    assertThat(second.isAcknowledged()).isTrue();
    assertThat(third.isAcknowledged()).isTrue();
  }

  @Test
  void aFullBatchLeavesWithoutWaiting() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(10).flushInterval(Duration.ofHours(1)).build();
    for (int i = 0; i < 25; i++) {
      store.store(Events.event("full"));
    }
    time.runUntilIdle();
    assertThat(calls).hasSize(2).allSatisfy(c -> assertThat(c[1]).isEqualTo(10));
    assertThat(callTimesMs()).containsExactly(0L, 0L);
    assertThat(store.stats().queueDepth()).isEqualTo(5);
  }

  @Test
  void retriesFollowTheBackOffScheduleExactly() {
    AuditStore store = builder((call, batch) -> {
      if (call <= 3) {
        throw unavailable();
      }
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(1).build();
    DeliveryHandle handle = store.store(Events.event("retry"));
    time.advance(Duration.ofSeconds(5));

    // 100 ms doubling, no jitter: attempts at 0, 100, 300, 700 ms.
    assertThat(callTimesMs()).containsExactly(0L, 100L, 300L, 700L);
    assertThat(handle.isAcknowledged()).isTrue();
  }

  @Test
  void retryAfterLengthensTheBackOff() {
    AuditStore store = builder((call, batch) -> {
      if (call == 1) {
        throw TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "busy"), Duration.ofSeconds(7));
      }
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(1).build();
    store.store(Events.event("retry-after"));
    time.advance(Duration.ofSeconds(10));
    assertThat(callTimesMs()).containsExactly(0L, 7000L);
  }

  @Test
  void retriesEndAtTheDeliveryTimeoutWithoutWaitingPastIt() {
    AuditStore store = builder((call, batch) -> {
      throw unavailable();
    }).batchSize(1).requestTimeout(Duration.ofMillis(500)).deliveryTimeout(Duration.ofSeconds(1)).build();
    long stored = time.nanoTime();
    DeliveryHandle handle = store.store(Events.event("timeout"));
    List<Long> failedAtMs = new ArrayList<>();
    handle.completion().whenComplete((ok, e) -> failedAtMs.add(time.since(stored).toMillis()));
    time.advance(Duration.ofSeconds(5));

    // Attempts at 0, 100, 300, 700; the next would be at 1 500, past the 1 s limit: give up at 700.
    assertThat(callTimesMs()).containsExactly(0L, 100L, 300L, 700L);
    assertThat(failedAtMs).containsExactly(700L);
    assertThat(handle.failure()).get().extracting(AuditDeliveryException::reason).isEqualTo(Reason.DELIVERY_TIMEOUT);
  }

  @Test
  void anUnansweredAttemptIsResolvedForTheResolutionTimeoutThenUnknown() {
    AuditStore store = builder((call, batch) -> {
      throw TransportException.noAnswer("read timed out", null);
    }).batchSize(1).requestTimeout(Duration.ofMillis(500)).deliveryTimeout(Duration.ofSeconds(1))
        .outcomeResolutionTimeout(Duration.ofSeconds(2)).build();
    DeliveryHandle handle = store.store(Events.event("unknown"));
    time.advance(Duration.ofSeconds(10));

    // 0, 100, 300, 700 ms within the delivery timeout (the next would be at 1 500); then resolving
    // from 700 ms for 2 s: at once, and after the 5th attempt's 1.6 s back-off at 2 300; the
    // next (after 3.2 s) would be past 2 700, so the outcome is unknown at 2 300.
    assertThat(callTimesMs()).containsExactly(0L, 100L, 300L, 700L, 700L, 2300L);
    assertThat(handle.failure()).get().extracting(AuditDeliveryException::reason).isEqualTo(Reason.OUTCOME_UNKNOWN);
    assertThat(store.stats().unknown()).isEqualTo(1);
    assertThat(store.stats().failed()).isZero();
  }

  @Test
  void aBatchWaitingToRetryKeepsItsSlotSoTheInFlightLimitHolds() {
    AuditStore store = builder((call, batch) -> {
      if (call == 1) {
        throw TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "busy"), Duration.ofSeconds(10));
      }
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(2).maxInFlightBatches(1).build();
    store.store(Events.event("first"));
    store.store(Events.event("first"));
    store.store(Events.event("second"));
    store.store(Events.event("second"));
    time.advance(Duration.ofSeconds(9));
    assertThat(calls).as("the second batch waits for the first's slot").hasSize(1);
    assertThat(store.stats().queueDepth()).isEqualTo(2);
    time.advance(Duration.ofSeconds(1));
    assertThat(callTimesMs()).containsExactly(0L, 10_000L, 10_000L);
    assertThat(store.stats().acknowledged()).isEqualTo(4);
  }

  @Test
  void aLateTimerIsReportedAsDriftAgainstItsOwnDeadline() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(100).flushInterval(Duration.ofSeconds(1))
        .schedulerDriftThreshold(Duration.ofMillis(250)).build();
    try (LogCapture logs = new LogCapture()) {
      store.store(Events.event("drift"));
      time.runUntilIdle(); // the dispatcher sets its timer for 1 000 ms
      time.stall(Duration.ofMillis(1400)); // then the process gets no CPU for 1.4 s
      assertThat(callTimesMs()).containsExactly(1400L);
      assertThat(logs.messages(Level.WARN)).anySatisfy(m -> assertThat(m)
          .contains("flush scheduler woke late drift_ms=400").contains("cause=scheduler"));
    }
  }

  @Test
  void lagBehindBusySendersIsBlamedOnThem() {
    AuditStore store = builder((call, batch) -> {
      time.passDuringCall(Duration.ofSeconds(3)); // a write that takes 3 s
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(1).maxInFlightBatches(1).flushInterval(Duration.ofMillis(500)).build();
    try (LogCapture logs = new LogCapture()) {
      store.store(Events.event("slow"));
      store.store(Events.event("slow"));
      time.advance(Duration.ofSeconds(10));
      assertThat(callTimesMs()).containsExactly(0L, 3000L);
      assertThat(logs.messages(Level.WARN)).anySatisfy(m -> assertThat(m).contains("flush lag oldest_event_age_ms=3000")
          .contains("cause=all 1 senders busy for 3000 ms"));
    }
  }

  @Test
  void statsAgeTheOldestEventOnTheStoresClock() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(100).flushInterval(Duration.ofSeconds(10)).build();
    store.store(Events.event("age"));
    time.advance(Duration.ofMillis(1234));
    AuditStoreStats stats = store.stats();
    assertThat(stats.oldestUnacknowledgedAge()).isEqualTo(Duration.ofMillis(1234));
    assertThat(stats.queueDepth()).isEqualTo(1);
  }

  @Test
  void everyEventIsCountedOnceWhateverHappensToIt() {
    AuditStore store = builder((call, batch) -> {
      if (call == 2) {
        throw TransportException.http(400, Problem.of(ProblemType.VALIDATION_ERROR, "bad"), null);
      }
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(3).bufferSize(6).overflowPolicy(OverflowPolicy.DROP).build();
    List<DeliveryHandle> handles = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      handles.add(store.store(Events.event("books")));
    }
    time.advance(Duration.ofSeconds(5));
    AuditStoreStats stats = store.stats();
    assertThat(stats.enqueued()).isEqualTo(6);
    assertThat(stats.dropped()).isEqualTo(2);
    assertThat(stats.acknowledged()).isEqualTo(3);
    assertThat(stats.failed()).isEqualTo(3);
    assertThat(stats.enqueued()).isEqualTo(stats.acknowledged() + stats.failed() + stats.unknown() + stats.queueDepth()
        + stats.inFlightEvents());
    assertThat(handles).allSatisfy(h -> assertThat(h.isDone()).isTrue());
  }
}
