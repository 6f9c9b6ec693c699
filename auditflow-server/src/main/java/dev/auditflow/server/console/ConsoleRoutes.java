package dev.auditflow.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.auth.AccessDeniedException;
import dev.auditflow.server.auth.AuthenticationException;
import dev.auditflow.server.auth.ConsoleSessions;
import dev.auditflow.server.auth.Principal;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.auth.Security;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web console (docs/CONSOLE.md): its page and assets under {@code /ui}, served from the jar
 * with a Content-Security-Policy that allows no inline script and nothing from elsewhere, and its
 * sign-in — a token exchanged once for a server-side session in an {@code HttpOnly},
 * {@code SameSite=Strict} cookie ({@code Secure} under TLS). The page reads the trail through the
 * same API as everyone else, so every read is authorised by role and audited as usual.
 */
public final class ConsoleRoutes {
  public static final String PAGE = "/ui";
  public static final String ASSET = "/ui/assets/{file}";
  public static final String SESSION = "/ui/session";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final Map<String, String> ASSETS = Map.of(
      "console.js", "text/javascript; charset=utf-8",
      "console.css", "text/css; charset=utf-8");
  private static final long MAX_SIGN_IN_BYTES = 16 * 1024;

  private final Security security;
  private final boolean tls;
  private final byte[] page;
  private final Map<String, byte[]> assets = new LinkedHashMap<>();

  public ConsoleRoutes(Security security, boolean tls) {
    this.security = security;
    this.tls = tls;
    this.page = resource("index.html");
    ASSETS.keySet().forEach(name -> assets.put(name, resource(name)));
  }

  private static byte[] resource(String name) {
    try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register(JavalinConfig config) {
    // Someone who opens the service's address in a browser lands on the console.
    config.routes.get("/", ctx -> ctx.redirect(PAGE, HttpStatus.FOUND));
    config.routes.get(PAGE, this::page);
    config.routes.get(ASSET, this::asset);
    config.routes.get(SESSION, this::session);
    config.routes.post(SESSION, this::signIn);
    config.routes.delete(SESSION, this::signOut);
  }

  /** What every console response carries: no inline script, nothing from another origin, no framing. */
  private static void secure(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  private void page(Context ctx) {
    secure(ctx);
    ctx.contentType("text/html; charset=utf-8");
    ctx.result(page);
  }

  private void asset(Context ctx) {
    String file = ctx.pathParam("file");
    byte[] bytes = assets.get(file);
    if (bytes == null) {
      throw new NotFoundException("the console has no asset " + file);
    }
    secure(ctx);
    ctx.contentType(ASSETS.get(file));
    ctx.result(bytes);
  }

  /**
   * Who the browser is signed in as — no one ({@code principal: null}) is an answer, not an error.
   * With authentication off, everyone is signed in, with every role.
   */
  private void session(Context ctx) {
    secure(ctx);
    if (!security.enabled()) {
      Json.write(ctx, 200, describe(Principal.ANONYMOUS, null, "none"));
      return;
    }
    String id = ctx.cookie(ConsoleSessions.COOKIE);
    if (id != null) {
      try {
        ConsoleSessions.Session session = security.consoleSessions().find(id);
        Json.write(ctx, 200, describe(session.principal(), session, "on"));
        return;
      } catch (AuthenticationException ended) {
        clearCookie(ctx);
      }
    }
    Json.write(ctx, 200, describe(null, null, "on"));
  }

  private void signIn(Context ctx) {
    secure(ctx);
    JsonNode body = Json.readBody(ctx, MAX_SIGN_IN_BYTES);
    JsonNode token = body.get("token");
    if (token == null || !token.isTextual() || token.asText().isBlank()) {
      throw RequestRefusedException.validation("invalid sign-in", List.of(new Violation("token", "is required: an API token,"
          + " a JWT or a Kubernetes service account token")));
    }
    if (!security.enabled()) {
      Json.write(ctx, 200, describe(Principal.ANONYMOUS, null, "none"));
      return;
    }
    ConsoleSessions.Session session = security.signIn(token.asText().trim(), ctx);
    ctx.header("Set-Cookie", ConsoleSessions.COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict"
        + (tls ? "; Secure" : ""));
    Json.write(ctx, 201, describe(session.principal(), session, "on"));
  }

  private void signOut(Context ctx) {
    secure(ctx);
    String id = ctx.cookie(ConsoleSessions.COOKIE);
    if (id != null && security.enabled()) {
      ConsoleSessions.Session session = security.consoleSessions().find(id);
      if (!ConsoleSessions.csrfMatches(session, ctx.header(ConsoleSessions.CSRF_HEADER))) {
        throw new AccessDeniedException("signing out needs the session's " + ConsoleSessions.CSRF_HEADER + " header");
      }
      security.consoleSessions().remove(id);
    }
    clearCookie(ctx);
    ctx.status(204);
  }

  private void clearCookie(Context ctx) {
    ctx.header("Set-Cookie", ConsoleSessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
        + (tls ? "; Secure" : ""));
  }

  /** @param principal null when no one is signed in */
  private static Map<String, Object> describe(Principal principal, ConsoleSessions.Session session, String auth) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("auth", auth);
    answer.put("principal", principal == null ? null : principal.name());
    answer.put("roles", principal == null ? List.of()
        : Arrays.stream(Role.values()).filter(principal::has).map(Role::wireName).toList());
    answer.put("csrf_token", session == null ? null : session.csrfToken());
    answer.put("expires", session == null ? null : Timestamps.format(session.expires()));
    return answer;
  }
}
