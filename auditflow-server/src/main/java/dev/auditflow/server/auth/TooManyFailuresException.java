package dev.auditflow.server.auth;

import java.time.Duration;

/** A source address failed to authenticate too often: a 429 with {@code Retry-After}. */
public final class TooManyFailuresException extends RuntimeException {
  private final long retryAfterSeconds;

  public TooManyFailuresException(Duration retryAfter) {
    this(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
  }

  private TooManyFailuresException(long retryAfterSeconds) {
    super("too many failed authentications from this address; retry after " + retryAfterSeconds + " s", null,
        false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Whole seconds, rounded up and at least 1: a client that waits this long is let in. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
