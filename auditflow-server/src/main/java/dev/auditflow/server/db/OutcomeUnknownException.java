package dev.auditflow.server.db;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;

/**
 * A write whose outcome cannot be known: the connection to the store (PostgreSQL, or the DLQ's
 * Redis) failed after the write was sent, so it may have been applied or not. Distinct from
 * {@link DatabaseUnavailableException}, which promises that nothing was written: a client told
 * "nothing was written" may report its events lost, and that must never be a lie. The client's
 * idempotent retry resolves it — the server deduplicates on {@code event_id}.
 */
public final class OutcomeUnknownException extends UnavailableException {
  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause, "write outcome unknown");
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.OUTCOME_UNKNOWN,
        "the write may or may not have been stored (the store's connection failed while committing); retrying the"
            + " same event ids is safe — stored ones are answered as duplicates");
  }
}
