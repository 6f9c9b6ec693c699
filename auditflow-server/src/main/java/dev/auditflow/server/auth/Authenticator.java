package dev.auditflow.server.auth;

import java.util.Optional;

/** One way of turning a bearer token into a principal. */
public interface Authenticator {
  /**
   * @return the principal, or empty when this authenticator does not handle tokens of this kind
   *     (another one in the chain may)
   * @throws AuthenticationException when the token is of this kind but not valid
   */
  Optional<Principal> authenticate(String bearerToken);
}
