package dev.auditflow.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The real runtime's promises, on real threads: what the fake runtime stands in for in every other test. */
class ThreadRuntimeTest {

  @Test
  void aLoopRunsAgainAtOnceOnZeroAndEndsOnDone() throws Exception {
    try (ServerRuntime runtime = ServerRuntime.threads(Clock.systemUTC())) {
      AtomicInteger runs = new AtomicInteger();
      CountDownLatch ended = new CountDownLatch(1);
      runtime.loop("test", Duration.ZERO, () -> {
        if (runs.incrementAndGet() == 5) {
          ended.countDown();
          return ServerRuntime.DONE;
        }
        return Duration.ZERO;
      });
      assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      assertThat(runs).as("no run after DONE").hasValue(5);
    }
  }

  @Test
  void closingWaitsForARunUnderWayWithoutInterruptingIt() throws Exception {
    ServerRuntime runtime = ServerRuntime.threads(Clock.systemUTC());
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    AtomicInteger runs = new AtomicInteger();
    ServerRuntime.Loop loop = runtime.loop("test", Duration.ZERO, () -> {
      runs.incrementAndGet();
      running.countDown();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      while (System.nanoTime() < until) {
        interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
        Thread.onSpinWait();
      }
      finished.set(true);
      return Duration.ZERO;
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    loop.close();
    assertThat(finished).as("close returned after the run finished").isTrue();
    assertThat(interrupted).isFalse();
    assertThat(runs).as("and no run started after close").hasValue(1);
    runtime.close();
  }

  @Test
  void aWaitEndsEarlyWhenTheLoopIsClosed() throws Exception {
    ServerRuntime runtime = ServerRuntime.threads(Clock.systemUTC());
    ServerRuntime.Loop loop = runtime.loop("test", Duration.ofHours(1), () -> Duration.ofHours(1));
    long started = System.nanoTime();
    loop.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    runtime.close();
  }

  @Test
  void aRunThatThrowsIsTriedAgainAfterASecond() throws Exception {
    try (ServerRuntime runtime = ServerRuntime.threads(Clock.systemUTC())) {
      AtomicInteger runs = new AtomicInteger();
      long started = System.nanoTime();
      runtime.loop("test", Duration.ZERO, () -> {
        if (runs.incrementAndGet() == 1) {
          throw new IllegalStateException("a bug in a task");
        }
        return ServerRuntime.DONE;
      });
      await().atMost(Duration.ofSeconds(10)).untilAtomic(runs, org.hamcrest.Matchers.equalTo(2));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
  }
}
