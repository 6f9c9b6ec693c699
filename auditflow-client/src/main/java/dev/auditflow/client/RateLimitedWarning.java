package dev.auditflow.client;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring condition at most once per period, with how often it happened since the last
 * line — so a burst of ten thousand drops is one line with a number, not ten thousand lines that
 * slow the application down further.
 */
final class RateLimitedWarning {
  private final Logger log;
  private final String message;
  private final long periodNanos;
  private final AtomicLong suppressed = new AtomicLong();
  private final AtomicLong nextAllowedNanos;

  RateLimitedWarning(Logger log, String message, long periodNanos) {
    this.log = log;
    this.message = message;
    this.periodNanos = periodNanos;
    this.nextAllowedNanos = new AtomicLong(System.nanoTime());
  }

  /** Records one occurrence; logs if the period has passed since the last line. */
  void occurred(long totalSoFar) {
    long now = System.nanoTime();
    long next = nextAllowedNanos.get();
    if (now - next >= 0 && nextAllowedNanos.compareAndSet(next, now + periodNanos)) {
      long since = suppressed.getAndSet(0) + 1;
      log.warn("{} count_since_last_warning={} total={}", message, since, totalSoFar);
    } else {
      suppressed.incrementAndGet();
    }
  }
}
