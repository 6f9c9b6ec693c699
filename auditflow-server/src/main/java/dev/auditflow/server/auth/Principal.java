package dev.auditflow.server.auth;

import java.util.Set;
import java.util.function.Predicate;

/**
 * Who made a request, as authenticated: a name (recorded as {@code ingested_by} and as the actor
 * of access audit events), how it was authenticated, and the roles it holds. For API tokens and
 * JWTs the roles are known at once; a Kubernetes principal's are asked of the API server (a
 * SubjectAccessReview per role, cached), hence the predicate.
 *
 * @param name e.g. {@code token:gateway}, {@code jwt:alice}, {@code system:serviceaccount:ns:sa}
 * @param method {@code token}, {@code jwt}, {@code kubernetes}, {@code proxy} or {@code none}
 */
public record Principal(String name, String method, Predicate<Role> roles) {

  /** A principal whose roles are a fixed set. */
  public static Principal of(String name, String method, Set<Role> held) {
    Set<Role> copy = Set.copyOf(held);
    return new Principal(name, method, required -> copy.stream().anyMatch(r -> r.grants(required)));
  }

  /** Used when authentication is switched off: every request acts as this one. */
  public static final Principal ANONYMOUS = of("anonymous", "none", Set.of(Role.ADMIN));

  public boolean has(Role role) {
    return roles.test(role);
  }

  @Override
  public String toString() {
    return name + " (" + method + ")";
  }
}
