package dev.auditflow.server.failure;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;

/** A request conflicts with the current state (a hold already placed, a purge already running): a 409 at the edge. */
public final class ConflictException extends ServiceException {
  public ConflictException(String message) {
    super(message, null);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.CONFLICT, getMessage());
  }
}
