package dev.auditflow.server.auth;

import dev.auditflow.server.db.Database;
import dev.auditflow.server.trail.AuditTrail;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication, authorisation and access auditing, put together from the settings: API tokens
 * always (the first admin token made at first start), JWTs and Kubernetes tokens when configured,
 * every route's rule from {@link RoutePolicy}, and the token admin routes.
 */
public final class Security implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Security.class);

  private final AuthSettings settings;
  private final ApiTokens tokens;
  private final AuthFilter filter;
  private final AccessAudit audit;
  private final TokenRoutes tokenRoutes;

  private Security(AuthSettings settings, ApiTokens tokens, AuthFilter filter, AccessAudit audit) {
    this.settings = settings;
    this.tokens = tokens;
    this.filter = filter;
    this.audit = audit;
    this.tokenRoutes = new TokenRoutes(tokens);
  }

  /** @param requestsPerPrincipal the most audited requests one principal may have running */
  public static Security create(AuthSettings settings, int requestsPerPrincipal, Database database, AuditTrail trail,
      MeterRegistry registry, Clock clock) {
    ApiTokens tokens = new ApiTokens(database, clock);
    List<Authenticator> authenticators = new ArrayList<>(List.of(tokens));
    if (settings.jwt() != null) {
      authenticators.add(new JwtAuthenticator(settings.jwt()));
    }
    if (settings.kubernetes() != null) {
      authenticators.add(new KubernetesAuthenticator(settings.kubernetes(), clock));
    }
    if (!settings.enabled()) {
      log.warn("AUTHENTICATION IS OFF (--auth none): anyone who can reach this port can write, read and administer"
          + " the audit trail");
    } else if (settings.adminTokenFile() != null) {
      AdminTokenBootstrap.ensureFirstAdmin(tokens, settings.adminTokenFile());
    }
    RoutePolicy policy = RoutePolicy.standard();
    FailedAuthentications failures = new FailedAuthentications(settings.failureLimit(), settings.failureWindow(), clock);
    return new Security(settings, tokens,
        new AuthFilter(policy, settings, authenticators, failures, requestsPerPrincipal, registry, clock), new AccessAudit(policy, new AccessRecorder(trail, registry), clock));
  }

  /** Stops the access audit's committer: after HTTP has stopped, so that every answer given was recorded. */
  @Override
  public void close() {
    audit.close();
  }

  public void install(JavalinConfig config) {
    filter.install(config);
    audit.install(config);
    tokenRoutes.register(config);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /** The access audit, for handlers that must record before they stream ({@link AccessAudit#recordBeforeStreaming}). */
  public AccessAudit accessAudit() {
    return audit;
  }

  public ApiTokens tokens() {
    return tokens;
  }

  /** The web console's sessions (signed in with a token, held in a cookie). */
  public ConsoleSessions consoleSessions() {
    return filter.sessions();
  }

  /** A console sign-in with a token: rate-limited and counted like any bearer token. */
  public ConsoleSessions.Session signIn(String token, io.javalin.http.Context ctx) {
    return filter.signIn(token, ctx.req().getRemoteAddr(), ClientAddress.forwardedFor(ctx));
  }
}
