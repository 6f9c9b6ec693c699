package dev.auditflow.server.auth;

import dev.auditflow.server.trail.ServerRecord;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who made a request, as authenticated: a name (recorded as {@code ingested_by} and as the actor
 * of access audit events), how it was authenticated, and the roles it holds. For API tokens and
 * JWTs the roles are known at once; a Kubernetes principal's are asked of the API server (a
 * SubjectAccessReview per role, cached), hence the predicate.
 *
 * @param name e.g. {@code token:gateway}, {@code jwt:alice}, {@code kubernetes:system:serviceaccount:ns:sa}
 * @param method {@code token}, {@code jwt}, {@code kubernetes}, {@code proxy} or {@code none}
 */
public record Principal(String name, String method, Predicate<Role> roles) {

  /** A principal whose roles are a fixed set. */
  public static Principal of(String name, String method, Set<Role> held) {
    Set<Role> copy = Set.copyOf(held);
    return new Principal(name, method, required -> copy.stream().anyMatch(r -> r.grants(required)));
  }

  /** The longest name an identity provider may give a principal (a JWT claim, a Kubernetes user, a proxy's user). */
  static final int MAX_NAME = 256;

  /**
   * The name of a principal authenticated by {@code method}: the method as prefix, so that no name
   * of one method can pass for another's ({@code token:admin} from a Kubernetes user named so is
   * {@code kubernetes:token:admin}). The part an identity provider chose must be 1 to {@value
   * #MAX_NAME} characters without control characters: a newline in it would reach log lines and
   * an empty one would name no one.
   *
   * @throws AuthenticationException ({@code invalid}) when it is not
   */
  static String name(String method, String given, String what) {
    if (given == null || given.isEmpty() || given.length() > MAX_NAME
        || given.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
            || c == '\u2028' || c == '\u2029')) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID,
          what + " must be 1 to " + MAX_NAME + " characters without control characters");
    }
    return method + ":" + given;
  }

  /** Used when authentication is switched off: every request acts as this one. */
  public static final Principal ANONYMOUS = of("anonymous", "none", Set.of(Role.ADMIN));

  /** This principal as the actor of a server record made on its request from {@code ip}. */
  public ServerRecord.Actor actor(String ip) {
    return ServerRecord.Actor.caller(method, name, ip);
  }

  public boolean has(Role role) {
    return roles.test(role);
  }

  @Override
  public String toString() {
    return name + " (" + method + ")";
  }
}
