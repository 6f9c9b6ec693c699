package dev.auditflow.server.db;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import java.time.Duration;

/**
 * A read ran for the whole statement timeout and PostgreSQL stopped it. The database is fine and
 * nothing was being stored: this read costs more than the service allows one read. A 422 without
 * {@code Retry-After} — the same read would be stopped again, and a client that retried it would
 * only add load — whose detail says how to narrow it. Never "the database is unavailable".
 */
public final class ReadTooExpensiveException extends ServiceException {
  ReadTooExpensiveException(String action, Duration statementTimeout, Throwable cause) {
    super("stopped after the " + describe(statementTimeout) + " statement timeout while " + action
        + ": the read is too expensive as asked (the database is fine, and retrying it unchanged fails the same way);"
        + " narrow it — a shorter since/until, a filter such as correlation_id, a smaller limit, or next_cursor"
        + " instead of a deep offset", cause);
  }

  private static String describe(Duration timeout) {
    return timeout.toMillis() % 1_000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.QUERY_TOO_EXPENSIVE, getMessage());
  }

  /** Seen in the log too: reads this expensive are worth an operator's look (a missing index, a new query shape). */
  @Override
  public String operatorEvent() {
    return "read too expensive";
  }
}
