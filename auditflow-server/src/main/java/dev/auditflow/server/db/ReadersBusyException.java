package dev.auditflow.server.db;

/**
 * Every connection of the readers' pool is in use and stayed so for the connection timeout: the
 * database is fine, the service is busy reading. A 503 with {@code Retry-After} that says so —
 * never "the database is unavailable".
 */
public final class ReadersBusyException extends RuntimeException {
  public ReadersBusyException(int connections, Throwable cause) {
    super("all " + connections + " read connections are busy with other reads; retry shortly, or narrow the read",
        cause, false, false);
  }
}
