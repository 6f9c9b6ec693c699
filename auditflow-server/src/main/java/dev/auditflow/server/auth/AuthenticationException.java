package dev.auditflow.server.auth;

import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.ServiceException;
import java.util.Map;

/**
 * A request could not be authenticated. The reason is what the caller is told (in the 401's
 * problem detail) and what metrics count — never the token itself.
 */
public final class AuthenticationException extends ServiceException {
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
    super(detail == null ? reason.description() : reason.description() + ": " + detail, null);
    this.reason = reason;
  }

  public AuthenticationException(Reason reason) {
    this(reason, null);
  }

  /** Why authentication failed (not {@link #reason()}, the problem's finer reason: there is none). */
  public Reason failure() {
    return reason;
  }

  @Override
  public Problem problem(Answering request) {
    return Problem.of(ProblemType.UNAUTHORIZED, getMessage());
  }

  /** RFC 6750 §3: say it is a bearer token that is wanted; name the error only when one was sent. */
  @Override
  public Map<String, String> headers() {
    return Map.of("WWW-Authenticate", reason == Reason.MISSING
        ? "Bearer realm=\"auditflow\"" : "Bearer realm=\"auditflow\", error=\"invalid_token\"");
  }
}
