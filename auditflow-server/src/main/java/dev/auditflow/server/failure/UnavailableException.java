package dev.auditflow.server.failure;

import java.time.Duration;
import java.util.Optional;

/**
 * A part the request needs is unavailable for now — the database, the dead-letter queue, the
 * Kubernetes API server, the trail for an access record: a 503 whose {@code Retry-After} is the
 * server's configured delay, since the same request can succeed once the part is back.
 */
public abstract class UnavailableException extends ServiceException {
  private final String operatorEvent;

  /**
   * @param operatorEvent what the log calls it, or null when the failure is logged where it arose
   */
  protected UnavailableException(String message, Throwable cause, String operatorEvent) {
    super(message, cause);
    this.operatorEvent = operatorEvent;
  }

  @Override
  public final Optional<Duration> retryAfter(Answering request) {
    return Optional.of(request.retryAfter());
  }

  @Override
  public final String operatorEvent() {
    return operatorEvent;
  }
}
