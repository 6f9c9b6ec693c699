package dev.auditflow.client;

import dev.auditflow.api.Problem;
import java.util.Optional;
import java.util.UUID;

/**
 * Why an event was not acknowledged by the server. Every event that is accepted by {@link
 * AuditStore#store} either is acknowledged or its handle completes with one of these — nothing is
 * lost without a reason, and an event is reported lost only when it is known not to be stored:
 * where that cannot be known the reason is {@link Reason#OUTCOME_UNKNOWN}.
 */
public final class AuditDeliveryException extends RuntimeException {
  /** The reasons an event can be lost. */
  public enum Reason {
    /** The buffer was full (and, with {@link OverflowPolicy#BLOCK}, stayed full for the timeout). */
    BUFFER_FULL,
    /** The server answered with a permanent error (a 4xx other than 401/403/408/429). */
    REJECTED,
    /** Retryable failures went on until the delivery timeout. */
    DELIVERY_TIMEOUT,
    /** Retryable failures went on for the configured maximum number of attempts. */
    RETRIES_EXHAUSTED,
    /**
     * {@link AuditStore#close(java.time.Duration)} ran out of time before the event was sent:
     * it was never stored.
     */
    CLOSED_BEFORE_DELIVERY,
    /**
     * Not lost, not confirmed: a request carrying the event may have been stored (it timed out,
     * the connection broke, or the server could not tell whether its commit went through), and
     * re-sending it within the outcome-resolution timeout got no definitive answer either. The
     * server never stores an event twice, so re-emitting the same event (same id) is safe.
     */
    OUTCOME_UNKNOWN
  }

  /** True when the event was certainly not stored; false for {@link Reason#OUTCOME_UNKNOWN}. */
  public boolean isLost() {
    return reason != Reason.OUTCOME_UNKNOWN;
  }

  private final UUID eventId;
  private final Reason reason;
  private final transient Problem problem;
  private final int attempts;

  public AuditDeliveryException(UUID eventId, Reason reason, String message, Problem problem, int attempts, Throwable cause) {
    super(message, cause, false, false);
    this.eventId = eventId;
    this.reason = reason;
    this.problem = problem;
    this.attempts = attempts;
  }

  public UUID eventId() {
    return eventId;
  }

  public Reason reason() {
    return reason;
  }

  /** The server's problem detail when it rejected the event. */
  public Optional<Problem> problem() {
    return Optional.ofNullable(problem);
  }

  /** How many requests carried the event (0 if none was sent). */
  public int attempts() {
    return attempts;
  }
}
