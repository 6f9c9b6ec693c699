package dev.auditflow.server.auth;

/** An authenticated principal lacks the role a route requires: a 403. */
public final class AccessDeniedException extends RuntimeException {
  public AccessDeniedException(Principal principal, Role required) {
    super(principal.name() + " does not hold the " + required.wireName() + " role this route requires", null, false,
        false);
  }

  /** Refused for another reason than a missing role (a console request without its CSRF token). */
  public AccessDeniedException(String message) {
    super(message, null, false, false);
  }
}
