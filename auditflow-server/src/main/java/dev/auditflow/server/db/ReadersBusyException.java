package dev.auditflow.server.db;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import java.time.Duration;
import java.util.Optional;

/**
 * Every connection of the readers' pool is in use and stayed so for the connection timeout: the
 * database is fine, the service is busy reading. A 503 with {@code Retry-After} that says so —
 * never "the database is unavailable".
 */
public final class ReadersBusyException extends ServiceException {
  public ReadersBusyException(int connections, Throwable cause) {
    super("all " + connections + " read connections are busy with other reads; retry shortly, or narrow the read",
        cause);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.SERVER_BUSY, getMessage());
  }

  /** A read finishes soon: a second, not the delay for a database that is down. */
  @Override
  public Optional<Duration> retryAfter(Answering request) {
    return Optional.of(Duration.ofSeconds(1));
  }

  @Override
  public String operatorEvent() {
    return "readers busy";
  }
}
