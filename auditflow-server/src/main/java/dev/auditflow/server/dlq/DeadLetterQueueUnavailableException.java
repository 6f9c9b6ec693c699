package dev.auditflow.server.dlq;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import java.time.Duration;
import java.util.Optional;

/**
 * The dead-letter queue cannot take or show anything now (not connected yet, or Redis refused
 * the command), and nothing was queued. Answered 503.
 */
public final class DeadLetterQueueUnavailableException extends ServiceException {
  public DeadLetterQueueUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the dead-letter queue is unavailable: " + getMessage());
  }

  @Override
  public Optional<Duration> retryAfter(Answering request) {
    return Optional.of(request.retryAfter());
  }

  @Override
  public String operatorEvent() {
    return "dead-letter queue unavailable";
  }
}
