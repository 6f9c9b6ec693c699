package dev.auditflow.server.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in flight and closes the door for a graceful stop. A request counts itself
 * <em>before</em> it looks at the door: if it then finds the door closed it leaves again. Doing
 * it the other way round (look, then count) lets a request slip in after {@link #drain} has seen
 * zero and returned — and run against a database that is being shut down.
 */
final class InFlightRequests {
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  /**
   * Counts a request in. A request that {@code mayBeRefused} is refused (not counted, false)
   * once draining has begun; others (health checks) are always let in.
   */
  boolean tryEnter(boolean mayBeRefused) {
    inFlight.incrementAndGet();
    if (mayBeRefused && draining) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  void exit() {
    inFlight.decrementAndGet();
  }

  boolean draining() {
    return draining;
  }

  int count() {
    return inFlight.get();
  }

  /**
   * Refuses new requests from now on and waits up to {@code timeout} for those inside to leave.
   *
   * @return true if none is left
   */
  boolean drain(Duration timeout) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
