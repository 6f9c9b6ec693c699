package dev.auditflow.server.dlq;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;

/**
 * The dead-letter queue cannot take or show anything now (not connected yet, or Redis refused
 * the command), and nothing was queued. Answered 503.
 */
public final class DeadLetterQueueUnavailableException extends UnavailableException {
  public DeadLetterQueueUnavailableException(String message, Throwable cause) {
    super(message, cause, "dead-letter queue unavailable");
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the dead-letter queue is unavailable: " + getMessage());
  }
}
