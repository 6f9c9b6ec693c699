package dev.auditflow.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter: attempt {@code n} (1-based) that failed waits {@code
 * initialBackoff × 2^(n-1)}, capped at {@code maxBackoff}, then scaled by a random factor in
 * {@code [1 - jitter, 1 + jitter]}. Jitter spreads the retries of many clients that failed
 * together (a server restart) so they do not return together.
 *
 * @param initialBackoff wait after the first failed attempt (default 100 ms)
 * @param maxBackoff cap on the exponential part (default 10 s)
 * @param jitter relative spread, 0 to 1 (default 0.2 = ±20 %)
 * @param maxAttempts attempts per batch, including the first; retries also stop at the delivery
 *     timeout, whichever comes first (default {@link Integer#MAX_VALUE}: only time bounds them)
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, double jitter, int maxAttempts) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2, Integer.MAX_VALUE);

  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be > 0, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be >= initialBackoff (" + initialBackoff + ")");
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
  }

  /** The wait after failed attempt {@code attempt}, with jitter from a thread-local random. */
  public long backoffNanos(int attempt) {
    return backoffNanos(attempt, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The wait after failed attempt {@code attempt}.
   *
   * @param uniform a source of uniform values in {@code [0, 1)}, injectable for tests
   */
  public long backoffNanos(int attempt, DoubleSupplier uniform) {
    long base = initialBackoff.toNanos();
    long cap = maxBackoff.toNanos();
    int doublings = Math.min(Math.max(attempt - 1, 0), 62);
    long exponential = base > (cap >> doublings) ? cap : Math.min(cap, base << doublings);
    double factor = 1 - jitter + 2 * jitter * uniform.getAsDouble();
    return Math.max(1, (long) (exponential * factor));
  }
}
