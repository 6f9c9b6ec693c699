package dev.auditflow.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The configurable part of event validation: how far in the future an {@code event_timestamp}
 * may lie (clock skew between the emitting host and the validating one) and how old it may be.
 *
 * @param maxFutureSkew events stamped more than this after "now" are rejected (default 60 min, as
 *     Kubernaut's window)
 * @param maxAge events stamped more than this before "now" are rejected (default 7 days)
 * @param clock the clock "now" is read from
 * @param versionRequired whether an event must name its {@code version} (Kubernaut's contract
 *     requires it); otherwise an absent one is {@code 1.0}
 */
public record ValidationRules(Duration maxFutureSkew, Duration maxAge, Clock clock, boolean versionRequired) {
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(60);
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

  public ValidationRules {
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(clock, "clock");
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException("maxFutureSkew must be >= 0, was " + maxFutureSkew);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be > 0, was " + maxAge);
    }
  }

  /** The rules with {@code version} optional. */
  public ValidationRules(Duration maxFutureSkew, Duration maxAge, Clock clock) {
    this(maxFutureSkew, maxAge, clock, false);
  }

  /** 60 minutes of skew, 7 days of age, the system UTC clock, {@code version} optional. */
  public static ValidationRules defaults() {
    return new ValidationRules(DEFAULT_MAX_FUTURE_SKEW, DEFAULT_MAX_AGE, Clock.systemUTC());
  }
}
