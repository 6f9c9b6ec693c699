package dev.auditflow.server.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How JWTs (OIDC identity providers, Kubernetes service-account tokens) are verified.
 *
 * @param jwksUrl where the signing keys are published (cached; refreshed when a token names a
 *     key the cache does not have, at most once per {@code jwksMinRefresh}), or null
 * @param jwksFile a local JWK Set file (re-read when it changes), or null; exactly one of the two
 * @param issuer the required {@code iss}
 * @param audience the required {@code aud} (one of the token's audiences)
 * @param nameClaim the claim that names the principal (default {@code sub})
 * @param rolesClaim the claim holding the principal's groups or roles (default {@code groups})
 * @param roleMap claim value → role; only mapped values grant a role (a group named {@code admin}
 *     is no admin unless mapped so)
 * @param clockSkew tolerance on {@code exp} and {@code nbf} (default 60 s)
 */
public record JwtSettings(URI jwksUrl, Path jwksFile, String issuer, String audience, String nameClaim,
    String rolesClaim, Map<String, Role> roleMap, Duration clockSkew, Duration jwksMinRefresh) {

  public JwtSettings {
    if ((jwksUrl == null) == (jwksFile == null)) {
      throw new IllegalArgumentException("JWT verification needs exactly one of a JWKS URL and a JWKS file");
    }
    Objects.requireNonNull(issuer, "a JWT issuer is required (--jwt-issuer)");
    Objects.requireNonNull(audience, "a JWT audience is required (--jwt-audience)");
    nameClaim = nameClaim == null ? "sub" : nameClaim;
    rolesClaim = rolesClaim == null ? "groups" : rolesClaim;
    roleMap = roleMap == null ? Map.of() : Map.copyOf(roleMap);
    clockSkew = clockSkew == null ? Duration.ofSeconds(60) : clockSkew;
    jwksMinRefresh = jwksMinRefresh == null ? Duration.ofSeconds(30) : jwksMinRefresh;
  }

  /** The claims every accepted token must carry. */
  Set<String> requiredClaims() {
    return Set.of("iss", "aud", "exp", nameClaim);
  }
}
