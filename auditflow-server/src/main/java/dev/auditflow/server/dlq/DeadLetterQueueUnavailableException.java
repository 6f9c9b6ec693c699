package dev.auditflow.server.dlq;

/**
 * The dead-letter queue cannot take or show anything now (not connected yet, or Redis refused
 * the command), and nothing was queued. Answered 503.
 */
public final class DeadLetterQueueUnavailableException extends RuntimeException {
  public DeadLetterQueueUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
