package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Logging is I/O and can block; under a lock it would stall every producer behind it. An appender
 * on the store's logger checks, for every line, whether the logging thread holds one of the
 * store's locks — through drops, blocking, failures, losses, lag and drift — and no line may.
 */
class NoLoggingUnderALockTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(AuditStore.class);
  private final List<String> underALock = new CopyOnWriteArrayList<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private volatile BufferedAuditStore store;
  private final AppenderBase<ILoggingEvent> checker = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      seen.add(event.getFormattedMessage());
      BufferedAuditStore s = store;
      if (s != null && s.holdsALock()) {
        underALock.add(Thread.currentThread().getName() + ": " + event.getFormattedMessage());
      }
    }
  };
  private Level previous;

  @BeforeEach
  void attach() {
    previous = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    checker.start();
    logger.addAppender(checker);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(checker);
    logger.setLevel(previous);
  }

  private void burst(AuditStore s, int threads, int each) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        for (int i = 0; i < each; i++) {
          s.store(Events.event("lock"));
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void dropsBlockingFailuresAndLossesAreLoggedOutsideTheLocks() throws Exception {
    FakeTransport failing = new FakeTransport((call, batch) -> {
      Thread.sleep(5);
      if (call % 3 == 0) {
        throw TransportException.http(400, Problem.of(ProblemType.VALIDATION_ERROR, "bad"), null);
      }
      if (call % 3 == 1) {
        throw TransportException.http(503, Problem.of(ProblemType.SERVICE_UNAVAILABLE, "down"), null);
      }
      return FakeTransport.ACK.answer(call, batch);
    });
    store = (BufferedAuditStore) AuditStore.builder().transport(failing).bufferSize(20).batchSize(5)
        .overflowPolicy(OverflowPolicy.DROP).flushInterval(Duration.ofMillis(20))
        .slowWriteThreshold(Duration.ofMillis(1))
        .retryPolicy(new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 0, 3)).build();
    burst(store, 8, 200);
    store.close(Duration.ofSeconds(30));

    BufferedAuditStore blocking = (BufferedAuditStore) AuditStore.builder().transport(FakeTransport.slow(Duration.ofMillis(20)))
        .bufferSize(10).batchSize(5).overflowPolicy(OverflowPolicy.BLOCK).overflowTimeout(Duration.ofMillis(50))
        .flushInterval(Duration.ofMillis(10)).build();
    store = blocking;
    burst(blocking, 8, 50);
    blocking.close(Duration.ofSeconds(30));

    assertThat(seen).anySatisfy(m -> assertThat(m).contains("dropped"))
        .anySatisfy(m -> assertThat(m).contains("write attempt failed"))
        .anySatisfy(m -> assertThat(m).contains("lost"))
        .anySatisfy(m -> assertThat(m).contains("slow write"));
    assertThat(underALock).isEmpty();
  }

  @Test
  void lagAndDriftAreLoggedOutsideTheLocks() {
    FakeTime time = new FakeTime();
    store = (BufferedAuditStore) AuditStore.builder().runtime(time).transport(new FakeTransport((call, batch) -> {
      time.passDuringCall(Duration.ofSeconds(3));
      return FakeTransport.ACK.answer(call, batch);
    })).batchSize(1).maxInFlightBatches(1).flushInterval(Duration.ofMillis(500)).build();
    store.store(Events.event("lag"));
    store.store(Events.event("lag"));
    time.advance(Duration.ofSeconds(10));
    store = (BufferedAuditStore) AuditStore.builder().runtime(time).transport(FakeTransport.acking()).batchSize(100)
        .flushInterval(Duration.ofMillis(500)).build();
    store.store(Events.event("drift"));
    time.runUntilIdle();
    time.stall(Duration.ofSeconds(2));

    assertThat(seen).anySatisfy(m -> assertThat(m).contains("flush lag"))
        .anySatisfy(m -> assertThat(m).contains("flush scheduler woke late"));
    assertThat(underALock).isEmpty();
  }
}
