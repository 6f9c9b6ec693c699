package dev.auditflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Once {@link InFlightRequests#drain} has answered "none left", no request may be inside. A
 * stress test: threads enter and leave as fast as they can while drain runs; any thread that
 * finds itself inside after drain returned true proves the check-then-act race.
 */
class InFlightRequestsTest {

  @Test
  void noRequestIsInsideAfterDrainSaysNoneIsLeft() throws Exception {
    AtomicInteger violations = new AtomicInteger();
    for (int round = 0; round < 100; round++) {
      InFlightRequests gate = new InFlightRequests();
      AtomicBoolean drained = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread thread = new Thread(() -> {
          while (!stop.get()) {
            if (gate.tryEnter(true)) {
              if (drained.get()) {
                violations.incrementAndGet();
              }
              gate.exit();
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      Thread.sleep(1);
      if (gate.drain(Duration.ofSeconds(5))) {
        drained.set(true);
      }
      Thread.sleep(1);
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(gate.count()).isZero();
    }
    assertThat(violations.get()).as("requests that ran after drain reported none in flight").isZero();
  }

  @Test
  void healthChecksAreLetInWhileDraining() throws Exception {
    InFlightRequests gate = new InFlightRequests();
    assertThat(gate.drain(Duration.ofMillis(10))).isTrue();
    assertThat(gate.tryEnter(true)).isFalse();
    assertThat(gate.tryEnter(false)).isTrue();
    assertThat(gate.count()).isEqualTo(1);
  }
}
