package dev.auditflow.server.auth;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import java.util.Optional;

import java.time.Duration;

/** A 429 with {@code Retry-After}: a client that failed to authenticate too often, or a principal running too much at once. */
public final class TooManyRequestsException extends ServiceException {
  private final long retryAfterSeconds;

  private TooManyRequestsException(String message, long retryAfterSeconds) {
    super(message, null);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The client failed to authenticate too often; it is let in again after {@code retryAfter}. */
  static TooManyRequestsException failedAuthentications(Duration retryAfter) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return new TooManyRequestsException("too many failed authentications from this address; retry after " + seconds
        + " s", seconds);
  }

  /** The principal already runs as many audited requests as it may. */
  static TooManyRequestsException concurrentRequests(String principal, int limit) {
    return new TooManyRequestsException(principal + " already has " + limit + " requests running, the most one principal"
        + " may; retry when one has finished", 1);
  }

  /** Whole seconds, rounded up and at least 1: a client that waits this long is let in. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.TOO_MANY_REQUESTS, getMessage());
  }

  @Override
  public Optional<Duration> retryAfter(Answering request) {
    return Optional.of(Duration.ofSeconds(retryAfterSeconds));
  }
}
