package dev.auditflow.server.db;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;

/**
 * The database could not do its part for an infrastructure reason — unreachable, shutting down,
 * read-only, out of disk, timed out — rather than because of the request. Answered with 503 and
 * {@code Retry-After}: the same request can succeed later, and the client's retries are safe.
 */
public final class DatabaseUnavailableException extends UnavailableException {
  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause, "database unavailable");
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.SERVICE_UNAVAILABLE, "the database is unavailable"
        + (request.storing() ? "; nothing was stored" : "") + " — retry after "
        + Math.max(1, request.retryAfter().toSeconds()) + " s");
  }
}
