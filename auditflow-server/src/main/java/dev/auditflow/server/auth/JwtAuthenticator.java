package dev.auditflow.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies signed JWTs with Nimbus JOSE+JWT: the signature against the issuer's JWK Set (RSA or
 * EC, RS/PS/ES 256–512), the exact issuer, the audience, {@code exp} and {@code nbf} within the
 * allowed skew, and the presence of the name claim. Roles come from a configurable claim.
 *
 * <p>A JWT from another issuer is not this authenticator's: it answers empty, so a Kubernetes
 * service-account token can go on to the TokenReview authenticator.
 */
public final class JwtAuthenticator implements Authenticator {
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
      JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
      JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final JwtSettings settings;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  public JwtAuthenticator(JwtSettings settings) {
    this.settings = settings;
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys(settings)));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(settings.audience()),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), settings.requiredClaims(), Set.of());
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  private static JWKSource<SecurityContext> keys(JwtSettings settings) {
    if (settings.jwksFile() != null) {
      return new FileJwkSource(settings.jwksFile());
    }
    try {
      return JWKSourceBuilder.<SecurityContext>create(settings.jwksUrl().toURL())
          .rateLimited(settings.jwksMinRefresh().toMillis())
          .retrying(true)
          .build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a JWKS URL: " + settings.jwksUrl(), e);
    }
  }

  @Override
  public Optional<Principal> authenticate(String bearerToken) {
    SignedJWT jwt;
    try {
      if (!(JWTParser.parse(bearerToken) instanceof SignedJWT signed)) {
        return Optional.empty();
      }
      jwt = signed;
      if (!settings.issuer().equals(jwt.getJWTClaimsSet().getIssuer())) {
        return Optional.empty(); // someone else's token (e.g. for the Kubernetes API server)
      }
    } catch (ParseException e) {
      return Optional.empty(); // not a JWT at all
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (BadJWTException e) {
      String message = String.valueOf(e.getMessage());
      throw new AuthenticationException(message.contains("Expired") ? AuthenticationException.Reason.EXPIRED
          : AuthenticationException.Reason.INVALID, message);
    } catch (BadJOSEException | JOSEException e) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID, String.valueOf(e.getMessage()));
    }
    Object name = claims.getClaim(settings.nameClaim());
    String principal = Principal.name("jwt", name instanceof String text ? text : null,
        "the JWT's " + settings.nameClaim() + " claim (a string)");
    return Optional.of(Principal.of(principal, "jwt", roles(claims)));
  }

  private Set<Role> roles(JWTClaimsSet claims) {
    Object value = claims.getClaim(settings.rolesClaim());
    List<?> values = value instanceof List<?> list ? list : value == null ? List.of() : List.of(value);
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (Object v : values) {
      String text = String.valueOf(v);
      // Only a mapping grants a role: an identity provider's group that merely happens to be
      // called "admin" is not auditflow's admin role.
      Role mapped = settings.roleMap().get(text);
      if (mapped != null) {
        roles.add(mapped);
      }
    }
    return roles;
  }

  /** A JWK Set in a local file, read again whenever the file changes (key rotation by file). */
  private static final class FileJwkSource implements JWKSource<SecurityContext> {
    private final Path file;
    private FileTime loadedAt;
    private JWKSet keys = new JWKSet();

    FileJwkSource(Path file) {
      this.file = file;
    }

    @Override
    public synchronized List<JWK> get(com.nimbusds.jose.jwk.JWKSelector selector, SecurityContext context)
        throws KeySourceException {
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        if (!modified.equals(loadedAt)) {
          keys = JWKSet.load(file.toFile());
          loadedAt = modified;
        }
      } catch (IOException | ParseException e) {
        throw new KeySourceException("cannot read the JWK Set " + file + ": " + e.getMessage(), e);
      }
      return selector.select(keys);
    }
  }
}
