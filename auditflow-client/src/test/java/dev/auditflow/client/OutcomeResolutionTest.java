package dev.auditflow.client;

import static dev.auditflow.client.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event is reported lost only when it is known not to be stored. When an attempt may have
 * stored a batch without saying so, the store re-sends it (the server deduplicates) for up to
 * the outcome-resolution timeout; if that brings no answer the event ends OUTCOME_UNKNOWN,
 * counted apart from losses.
 */
class OutcomeResolutionTest {
  private static final TransportException UNANSWERED = TransportException.noAnswer("read timed out", null);
  private static final TransportException REFUSED = TransportException.notSent("connection refused", null);
  private static final TransportException NOTHING_WRITTEN =
      TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "database down"), null);

  private final List<AuditStore> stores = new ArrayList<>();

  private AuditStore store(FakeTransport transport, Duration deliveryTimeout, Duration resolution, int maxAttempts) {
    AuditStore store = AuditStore.builder().transport(transport).flushInterval(Duration.ofMillis(20))
        .requestTimeout(deliveryTimeout).deliveryTimeout(deliveryTimeout).outcomeResolutionTimeout(resolution)
        .retryPolicy(new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(50), 0, maxAttempts)).build();
    stores.add(store);
    return store;
  }

  @AfterEach
  void close() {
    stores.forEach(s -> s.close(Duration.ofSeconds(10)));
  }

  private static Reason reasonOf(DeliveryHandle h) {
    await().atMost(Duration.ofSeconds(30)).until(h::isDone);
    return h.failure().map(AuditDeliveryException::reason).orElse(null);
  }

  /** Fails with {@code failure} until {@code failFor} has passed since the first call, then acknowledges. */
  private static FakeTransport failingFor(Duration failFor, TransportException failure) {
    long[] first = {0};
    return new FakeTransport((call, batch) -> {
      if (call == 1) {
        first[0] = System.nanoTime();
      }
      if (System.nanoTime() - first[0] < failFor.toNanos()) {
        throw failure;
      }
      return new BatchAck(0, batch.size(), false);
    });
  }

  @Test
  void anUnansweredAttemptIsResolvedByReSendingPastTheDeliveryTimeout() {
    // Unanswered for 800 ms, delivery timeout 300 ms: without resolution this would be reported
    // lost although the first attempt may have stored it. The re-send gets "duplicate": stored.
    FakeTransport transport = failingFor(Duration.ofMillis(800), UNANSWERED);
    AuditStore store = store(transport, Duration.ofMillis(300), Duration.ofSeconds(20), Integer.MAX_VALUE);
    DeliveryHandle h = store.store(event("c"));
    assertThat(reasonOf(h)).isNull();
    assertThat(h.isAcknowledged()).isTrue();
    assertThat(store.stats().acknowledged()).isEqualTo(1);
    assertThat(store.stats().failed()).isZero();
    assertThat(store.stats().unknown()).isZero();
  }

  @Test
  void whenReSendingBringsNoAnswerTheOutcomeIsUnknownNotLost() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw UNANSWERED;
    });
    AuditStore store = store(transport, Duration.ofMillis(200), Duration.ofMillis(300), Integer.MAX_VALUE);
    DeliveryHandle h = store.store(event("c"));
    assertThat(reasonOf(h)).isEqualTo(Reason.OUTCOME_UNKNOWN);
    assertThat(h.failure()).get().satisfies(e -> {
      assertThat(e.isLost()).isFalse();
      assertThat(e.getMessage()).contains("may or may not be stored").contains("read timed out");
    });
    AuditStoreStats stats = store.stats();
    assertThat(stats.unknown()).isEqualTo(1);
    assertThat(stats.failed()).isZero();
    assertThat(stats.outstanding()).isZero();
    CloseReport report = store.close(Duration.ofSeconds(5));
    assertThat(report.unknown()).isEqualTo(1);
    assertThat(report.lost()).isZero();
  }

  @Test
  void definitiveFailuresUntilTheDeliveryTimeoutAreLostWithoutResolution() {
    for (TransportException definitive : List.of(REFUSED, NOTHING_WRITTEN)) {
      FakeTransport transport = new FakeTransport((call, batch) -> {
        throw definitive;
      });
      AuditStore store = store(transport, Duration.ofMillis(300), Duration.ofSeconds(30), Integer.MAX_VALUE);
      long start = System.nanoTime();
      DeliveryHandle h = store.store(event("c"));
      assertThat(reasonOf(h)).as(definitive.getMessage()).isEqualTo(Reason.DELIVERY_TIMEOUT);
      assertThat(h.failure()).get().satisfies(e -> assertThat(e.isLost()).isTrue());
      // No 30 s resolution phase: nothing can have been stored.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(store.stats().failed()).isEqualTo(1);
    }
  }

  @Test
  void aRejectionAfterAnUnansweredAttemptCannotProveTheEventAbsent() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      if (call == 1) {
        throw UNANSWERED;
      }
      throw TransportException.http(400, Problem.of(ProblemType.VALIDATION_ERROR, "too old"), null);
    });
    AuditStore store = store(transport, Duration.ofSeconds(5), Duration.ofSeconds(5), Integer.MAX_VALUE);
    assertThat(reasonOf(store.store(event("c")))).isEqualTo(Reason.OUTCOME_UNKNOWN);
    assertThat(transport.calls()).isEqualTo(2);
  }

  @Test
  void aRejectionWithoutAnyUnansweredAttemptIsALoss() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw TransportException.http(400, Problem.of(ProblemType.VALIDATION_ERROR, "bad"), null);
    });
    AuditStore store = store(transport, Duration.ofSeconds(5), Duration.ofSeconds(5), Integer.MAX_VALUE);
    assertThat(reasonOf(store.store(event("c")))).isEqualTo(Reason.REJECTED);
  }

  @Test
  void usedUpAttemptsAfterAnUnansweredOneAreResolvedTooAndAServerErrorCountsAsUnanswered() {
    // maxAttempts 2; a 500 may have come after the commit. The third call (a resolution re-send) answers.
    FakeTransport transport = new FakeTransport((call, batch) -> {
      if (call <= 2) {
        throw TransportException.http(500, Problem.of(ProblemType.INTERNAL_ERROR, "boom"), null);
      }
      return new BatchAck(0, batch.size(), false);
    });
    AuditStore store = store(transport, Duration.ofSeconds(5), Duration.ofSeconds(5), 2);
    DeliveryHandle h = store.store(event("c"));
    assertThat(reasonOf(h)).isNull();
    assertThat(transport.calls()).isEqualTo(3);
  }

  @Test
  void usedUpAttemptsThatWereAllDefinitiveAreALoss() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw NOTHING_WRITTEN;
    });
    AuditStore store = store(transport, Duration.ofSeconds(5), Duration.ofSeconds(5), 2);
    assertThat(reasonOf(store.store(event("c")))).isEqualTo(Reason.RETRIES_EXHAUSTED);
    assertThat(transport.calls()).isEqualTo(2);
  }

  @Test
  void aZeroResolutionTimeoutReportsUnknownAtOnce() {
    FakeTransport transport = new FakeTransport((call, batch) -> {
      throw UNANSWERED;
    });
    AuditStore store = store(transport, Duration.ofMillis(200), Duration.ZERO, Integer.MAX_VALUE);
    assertThat(reasonOf(store.store(event("c")))).isEqualTo(Reason.OUTCOME_UNKNOWN);
  }
}
