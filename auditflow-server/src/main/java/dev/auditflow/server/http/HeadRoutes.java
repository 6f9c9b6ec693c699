package dev.auditflow.server.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.ParsedEndpoint;
import java.util.List;

/**
 * Every {@code GET} route also answers {@code HEAD} (RFC 9110 §9.3.2), as a route of its own. Javalin
 * runs a GET handler for a HEAD by itself, but without naming the route it matched, so the filters
 * that decide by route (who may call it, whether it is audited, the request metrics) saw none and
 * refused it; a load balancer's HEAD health check failed.
 */
public final class HeadRoutes {
  private HeadRoutes() {}

  /** Adds a HEAD route beside each GET route registered so far. */
  public static void mirrorGets(Javalin app) {
    List<Endpoint> gets = app.unsafe.internalRouter.allHttpHandlers().stream()
        .map((ParsedEndpoint parsed) -> parsed.endpoint)
        .filter(e -> e.method == HandlerType.GET)
        .toList();
    for (Endpoint get : gets) {
      app.unsafe.internalRouter.addHttpEndpoint(new Endpoint(HandlerType.HEAD, get.path, get.handler));
    }
  }
}
