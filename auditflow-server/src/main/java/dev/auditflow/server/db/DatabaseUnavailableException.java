package dev.auditflow.server.db;

/**
 * The database could not do its part for an infrastructure reason — unreachable, shutting down,
 * read-only, out of disk, timed out — rather than because of the request. Answered with 503 and
 * {@code Retry-After}: the same request can succeed later, and the client's retries are safe.
 */
public final class DatabaseUnavailableException extends RuntimeException {
  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
