package dev.auditflow.server.auth;

import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.RequestTracking;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorises every matched request before its handler runs, by the route's
 * rule in {@link RoutePolicy}. The principal is left on the context for handlers (who submitted
 * an event, who read what). Failures are counted per reason and per source address; the token
 * itself is never logged, counted or echoed.
 */
public final class AuthFilter {
  private static final Logger log = LoggerFactory.getLogger(AuthFilter.class);
  private static final String PRINCIPAL = "auditflow.principal";
  private static final String CLIENT = "auditflow.client";
  private static final String ADMITTED = "auditflow.admitted";
  static final String PROXY_USER_HEADER = "X-Auth-Request-User";

  private final RoutePolicy policy;
  private final AuthSettings settings;
  private final List<Authenticator> authenticators;
  private final FailedAuthentications failures;
  private final MeterRegistry registry;
  private final ConsoleSessions sessions;
  private final PrincipalConcurrency concurrency;

  public AuthFilter(RoutePolicy policy, AuthSettings settings, List<Authenticator> authenticators,
      FailedAuthentications failures, int requestsPerPrincipal, MeterRegistry registry, Clock clock) {
    this.concurrency = new PrincipalConcurrency(requestsPerPrincipal);
    this.policy = policy;
    this.settings = settings;
    this.authenticators = List.copyOf(authenticators);
    this.failures = failures;
    this.registry = registry;
    this.sessions = new ConsoleSessions(this::authenticateToken, clock);
  }

  /** The web console's sessions, which this filter accepts in place of a bearer token. */
  public ConsoleSessions sessions() {
    return sessions;
  }

  /**
   * Signs a browser in to the console with a token, under the same rate limit and failure
   * counting as a bearer token on any route.
   */
  public ConsoleSessions.Session signIn(String token, String peer, List<String> forwardedFor) {
    String client = ClientAddress.of(peer, forwardedFor, settings.trustedProxies());
    try {
      return sessions.create(token);
    } catch (AuthenticationException e) {
      throw refusal(e, "POST", "/ui/session", client);
    }
  }

  /**
   * What a failed authentication is answered with. A request that brings credentials and fails is
   * counted against its client; once the client has failed too often it gets 429 until its window
   * ends. A request without credentials is no guess and is not counted (behind a proxy, ten of
   * them locked out every user of that proxy), and a request that authenticates is never refused
   * for its client's failures: tokens hold 256 random bits, and the limit exists to make guessing
   * loud and slow, not to lock out whoever shares an address with a guesser.
   */
  private RuntimeException refusal(AuthenticationException e, String method, String route, String client) {
    String reason = e.failure().name().toLowerCase(Locale.ROOT);
    Counter.builder("auditflow.auth.failures").description("Failed authentications, by reason")
        .tag("reason", reason).register(registry).increment();
    log.info("authentication failed method={} route={} client={} reason={}", method, route, client, reason);
    if (e.failure() == AuthenticationException.Reason.MISSING) {
      return e;
    }
    String key = ClientAddress.failureKey(client);
    Optional<Duration> blocked = failures.blockedFor(key);
    failures.failed(key);
    if (blocked.isPresent()) {
      registry.counter("auditflow.auth.rate.limited").increment();
      return TooManyRequestsException.failedAuthentications(blocked.get());
    }
    return e;
  }

  public void install(JavalinConfig config) {
    config.routes.beforeMatched(this::check);
    // After the answer — also one that failed — the principal's request no longer counts.
    config.routes.after(ctx -> {
      String admitted = ctx.attribute(ADMITTED);
      if (admitted != null) {
        ctx.attribute(ADMITTED, null);
        concurrency.leave(admitted);
      }
    });
  }

  /** The client's address as {@link ClientAddress} tells it, for requests that passed the filter. */
  public static String clientAddress(Context ctx) {
    String client = ctx.attribute(CLIENT);
    return client == null ? ctx.req().getRemoteAddr() : client;
  }

  /** The principal of a request that passed the filter; anonymous on public routes. */
  public static Principal principal(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    return p == null ? Principal.ANONYMOUS : p;
  }

  private void check(Context ctx) {
    String route = routeOf(ctx);
    String method = ctx.method().name();
    RoutePolicy.Access access = policy.access(method, route).orElseThrow(() -> {
      log.error("route has no declared access rule method={} route={}; refusing it", method, route);
      return new AccessDeniedException(Principal.ANONYMOUS, Role.ADMIN);
    });
    if (access.isPublic()) {
      return;
    }
    if (!settings.enabled()) {
      ctx.attribute(PRINCIPAL, Principal.ANONYMOUS);
      return;
    }
    refuseRepeated(ctx, "Authorization");
    refuseRepeated(ctx, PROXY_USER_HEADER);
    String source = ctx.req().getRemoteAddr();
    String client = ClientAddress.of(source, ClientAddress.forwardedFor(ctx), settings.trustedProxies());
    ctx.attribute(CLIENT, client);
    Principal principal;
    try {
      principal = authenticate(ctx, source);
    } catch (AuthenticationException e) {
      throw refusal(e, method, route, client);
    }
    if (!principal.has(access.role())) {
      throw new AccessDeniedException(principal, access.role());
    }
    ctx.attribute(PRINCIPAL, principal);
    if (access.operation() != null) {
      if (!concurrency.tryEnter(principal.name())) {
        registry.counter("auditflow.auth.concurrency.limited").increment();
        throw TooManyRequestsException.concurrentRequests(principal.name(), concurrency.limit());
      }
      ctx.attribute(ADMITTED, principal.name());
    }
  }

  /**
   * A credential header sent twice is refused: which of the two counts would otherwise depend on
   * which component reads it (a proxy may check the last, this server the first).
   */
  private static void refuseRepeated(Context ctx, String header) {
    int count = Collections.list(ctx.req().getHeaders(header)).size();
    if (count > 1) {
      throw RequestRefusedException.validation("the " + header + " header was sent " + count + " times",
          List.of(new Violation(header, "must be sent at most once, was sent " + count + " times")));
    }
  }

  private Principal authenticate(Context ctx, String source) {
    String proxied = ctx.header(PROXY_USER_HEADER);
    if (proxied != null && settings.trustedProxies().contains(source)) {
      return proxyUser(proxied.trim());
    }
    String header = ctx.header("Authorization");
    if ((header == null || header.isBlank()) && ctx.cookie(ConsoleSessions.COOKIE) != null) {
      return consoleSession(ctx);
    }
    if (header == null || header.isBlank()) {
      throw new AuthenticationException(AuthenticationException.Reason.MISSING);
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()
        || header.substring(7).trim().contains(" ")) {
      throw new AuthenticationException(AuthenticationException.Reason.MALFORMED);
    }
    return authenticateToken(header.substring(7).trim());
  }

  /** The principal of a bearer token, by the first authenticator that handles it. */
  Principal authenticateToken(String token) {
    for (Authenticator authenticator : authenticators) {
      Optional<Principal> principal = authenticator.authenticate(token);
      if (principal.isPresent()) {
        return principal.get();
      }
    }
    throw new AuthenticationException(AuthenticationException.Reason.UNKNOWN);
  }

  /**
   * A browser signed in to the console: its session cookie stands for the token. A request that
   * could change something must also carry the session's CSRF token in a header, which a page
   * of another site cannot read or set (the cookie is SameSite=Strict as well).
   */
  private Principal consoleSession(Context ctx) {
    ConsoleSessions.Session session = sessions.find(ctx.cookie(ConsoleSessions.COOKIE));
    String method = ctx.method().name();
    if (!method.equals("GET") && !method.equals("HEAD")
        && !ConsoleSessions.csrfMatches(session, ctx.header(ConsoleSessions.CSRF_HEADER))) {
      throw new AccessDeniedException("a console session's " + method + " request must carry its "
          + ConsoleSessions.CSRF_HEADER + " header");
    }
    return session.principal();
  }

  /**
   * The user a trusted proxy vouches for. Prefixed, like every other method's names, so that no
   * proxy user can pass for a token or service account in {@code ingested_by}.
   */
  private Principal proxyUser(String user) {
    return Principal.of(Principal.name("proxy", user, "the " + PROXY_USER_HEADER + " header"), "proxy",
        settings.proxyRoles());
  }

  static String routeOf(Context ctx) {
    return RequestTracking.routeOf(ctx);
  }
}
