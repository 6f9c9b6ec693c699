package dev.auditflow.server.failure;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;

/** What a request names does not exist (a correlation without events, a hold not placed): a 404 at the edge. */
public final class NotFoundException extends ServiceException {
  public NotFoundException(String message) {
    super(message, null);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.NOT_FOUND, getMessage());
  }
}
