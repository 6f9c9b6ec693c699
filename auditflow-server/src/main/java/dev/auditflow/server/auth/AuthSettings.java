package dev.auditflow.server.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * How callers are authenticated. API tokens are always accepted when authentication is on; JWTs
 * and Kubernetes tokens when configured.
 *
 * @param enabled false only with {@code --auth none}: every caller is then the anonymous admin
 * @param adminTokenFile where the first admin token is written at first start (mode 0600), or null
 * @param jwt JWT / OIDC verification, or null
 * @param kubernetes TokenReview + SubjectAccessReview, or null
 * @param trustedProxies addresses whose {@code X-Auth-Request-User} header is believed (an
 *     authenticating proxy such as oauth2-proxy); from any other address the header is ignored
 * @param proxyRoles the roles a user named by a trusted proxy holds (default writer, reader)
 * @param failureLimit failed authentications per source address and window before 429 (default 10)
 * @param failureWindow that window (default 1 min)
 */
public record AuthSettings(boolean enabled, Path adminTokenFile, JwtSettings jwt, KubernetesSettings kubernetes,
    Set<String> trustedProxies, Set<Role> proxyRoles, int failureLimit, Duration failureWindow) {

  public AuthSettings {
    trustedProxies = trustedProxies == null ? Set.of() : Set.copyOf(trustedProxies);
    proxyRoles = proxyRoles == null || proxyRoles.isEmpty() ? EnumSet.of(Role.WRITER, Role.READER) : Set.copyOf(proxyRoles);
    failureLimit = failureLimit <= 0 ? 10 : failureLimit;
    failureWindow = failureWindow == null ? Duration.ofMinutes(1) : failureWindow;
  }

  /** Authentication with API tokens only, the first admin token written to {@code adminTokenFile}. */
  public static AuthSettings tokens(Path adminTokenFile) {
    return new AuthSettings(true, adminTokenFile, null, null, Set.of(), Set.of(), 0, null);
  }

  /** Authentication switched off ({@code --auth none}). */
  public static AuthSettings disabled() {
    return new AuthSettings(false, null, null, null, Set.of(), Set.of(), 0, null);
  }
}
