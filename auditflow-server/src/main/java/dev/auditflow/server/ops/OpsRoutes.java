package dev.auditflow.server.ops;

import dev.auditflow.server.db.Database;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Health, Prometheus metrics and the OpenAPI document. */
public final class OpsRoutes {
  public static final String OPENAPI_RESOURCE = "/openapi.yaml";

  private final Database database;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier draining;
  private final byte[] openApi;

  public OpsRoutes(Database database, PrometheusMeterRegistry registry, BooleanSupplier draining) {
    this.database = database;
    this.registry = registry;
    this.draining = draining;
    this.openApi = loadOpenApi();
  }

  /** The OpenAPI document shipped in this jar. */
  public static byte[] loadOpenApi() {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void register(JavalinConfig config) {
    config.routes.get("/health/live", ctx -> Json.write(ctx, 200, Map.of("status", "UP")));
    config.routes.get("/health/ready", this::ready);
    config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    config.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));
  }

  private void ready(Context ctx) {
    boolean stopping = draining.getAsBoolean();
    boolean db = !stopping && database.isReachable();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", stopping ? "STOPPING" : db ? "UP" : "DOWN");
    body.put("database", db ? "up" : stopping ? "not checked" : "down");
    Json.write(ctx, db ? 200 : 503, body);
  }
}
