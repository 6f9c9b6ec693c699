package dev.auditflow.server.auth;

/**
 * A request could not be authenticated. The reason is what the caller is told (in the 401's
 * problem detail) and what metrics count — never the token itself.
 */
public final class AuthenticationException extends RuntimeException {
  /** Why authentication failed; each is a 401. */
  public enum Reason {
    MISSING("no Authorization: Bearer credentials"),
    MALFORMED("the Authorization header is not a Bearer token"),
    UNKNOWN("the token is not known"),
    EXPIRED("the token has expired"),
    REVOKED("the token has been revoked"),
    INVALID("the token is invalid");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private final Reason reason;

  public AuthenticationException(Reason reason, String detail) {
    super(detail == null ? reason.description() : reason.description() + ": " + detail, null, false, false);
    this.reason = reason;
  }

  public AuthenticationException(Reason reason) {
    this(reason, null);
  }

  public Reason reason() {
    return reason;
  }
}
