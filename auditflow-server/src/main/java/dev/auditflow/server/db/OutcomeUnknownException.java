package dev.auditflow.server.db;

/**
 * A write whose outcome cannot be known: the connection to the store (PostgreSQL, or the DLQ's
 * Redis) failed after the write was sent, so it may have been applied or not. Distinct from
 * {@link DatabaseUnavailableException}, which promises that nothing was written: a client told
 * "nothing was written" may report its events lost, and that must never be a lie. The client's
 * idempotent retry resolves it — the server deduplicates on {@code event_id}.
 */
public final class OutcomeUnknownException extends RuntimeException {
  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
