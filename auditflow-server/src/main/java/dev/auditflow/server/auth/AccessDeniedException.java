package dev.auditflow.server.auth;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;

/** An authenticated principal lacks the role a route requires: a 403. */
public final class AccessDeniedException extends ServiceException {
  public AccessDeniedException(Principal principal, Role required) {
    super(principal.name() + " does not hold the " + required.wireName() + " role this route requires", null);
  }

  /** Refused for another reason than a missing role (a console request without its CSRF token). */
  public AccessDeniedException(String message) {
    super(message, null);
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.FORBIDDEN, getMessage());
  }
}
