package dev.auditflow.server.ops;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.dlq.DeadLetterQueue;
import dev.auditflow.server.dlq.ReplayWorker;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.kafka.IngestLogStatus;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** Health, Prometheus metrics and the OpenAPI document. */
public final class OpsRoutes {
  public static final String OPENAPI_RESOURCE = "/openapi.yaml";

  private final Database database;
  private final DeadLetterQueue dlq;
  private final ReplayWorker replay;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier draining;
  private final boolean authenticated;
  private final Clock clock;
  private final byte[] openApi;
  /** Kafka mode's ingest log, or null in direct mode. */
  private final IngestLogStatus ingestLog;
  /** The shards' databases by name when the trail spans several (docs/SCALE.md); empty otherwise. */
  private final Map<String, Database> shards;

  /**
   * @param database the one database, or with shards the catalog
   * @param shards the shards' databases by name, empty for none
   * @param ingestLog the ingest log's status in Kafka mode, null in direct mode
   */
  public OpsRoutes(Database database, Map<String, Database> shards, DeadLetterQueue dlq, ReplayWorker replay,
      IngestLogStatus ingestLog, PrometheusMeterRegistry registry, BooleanSupplier draining, boolean authenticated,
      Clock clock) {
    this.database = database;
    this.shards = Map.copyOf(shards);
    this.ingestLog = ingestLog;
    this.dlq = dlq;
    this.replay = replay;
    this.registry = registry;
    this.draining = draining;
    this.authenticated = authenticated;
    this.clock = clock;
    this.openApi = loadOpenApi();
  }

  /** The OpenAPI document shipped in this jar. */
  private static byte[] loadOpenApi() {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The main port's routes; the metrics too unless they have a management port of their own. */
  public void register(JavalinConfig config, boolean withMetrics) {
    registerHealth(config);
    if (withMetrics) {
      registerMetrics(config);
    }
    config.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi));
    config.routes.get("/api/v1/admin/dlq", this::dlqSummary);
  }

  /** The management port: metrics and health, no authentication, nothing else. */
  public void registerManagement(JavalinConfig config) {
    registerHealth(config);
    registerMetrics(config);
  }

  private void registerHealth(JavalinConfig config) {
    config.routes.get("/health/live", ctx -> Json.write(ctx, 200, Map.of("status", "UP")));
    config.routes.get("/health/ready", this::ready);
    // Kubernaut's Helm chart gates every service's readiness on Data Storage's /readyz.
    config.routes.get("/readyz", this::readyz);
    // ...and its liveness probe on /healthz: the process answers, whatever its dependencies do.
    config.routes.get("/healthz", ctx -> Json.write(ctx, 200,
        Map.of("status", "healthy", "timestamp", Timestamps.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)))));
    config.routes.get("/health", this::ready);
  }

  private void registerMetrics(JavalinConfig config) {
    config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
  }

  /**
   * Ready when events can be accepted durably: the database is up, or it is down but the
   * dead-letter queue takes them (200, {@code DEGRADED}); in Kafka mode when Kafka is reachable —
   * the database being down then only delays storage and reads ({@code DEGRADED}), and the
   * answer says how many records wait for a writer. With shards, each shard's database is named
   * up or down; one down makes the node {@code DEGRADED} (its chains wait or fail, the others
   * answer). Not ready while stopping.
   */
  private void ready(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (draining.getAsBoolean()) {
      body.put("status", "STOPPING");
      Json.write(ctx, 503, body);
      return;
    }
    boolean db = database.isReachable();
    Boolean queue = dlq == null ? null : dlq.isReachable();
    IngestLogStatus.Snapshot log = ingestLog == null ? null : ingestLog.snapshot();
    Map<String, String> shardStates = new TreeMap<>();
    shards.forEach((name, shard) -> shardStates.put(name, shard.isReachable() ? "up" : "down"));
    boolean accepting = log != null ? log.kafkaUp() : db || Boolean.TRUE.equals(queue);
    boolean degraded = accepting && (!db || Boolean.FALSE.equals(queue) || shardStates.containsValue("down"));
    body.put("status", !accepting ? "DOWN" : degraded ? "DEGRADED" : "UP");
    body.put("database", db ? "up" : "down");
    if (!shardStates.isEmpty()) {
      body.put("shards", shardStates);
    }
    if (!authenticated) {
      body.put("auth", "none");
      body.put("warning", "authentication is off: anyone who can reach the service can read and write the audit trail");
    }
    if (queue != null) {
      body.put("dlq", queue ? "up" : "down");
    }
    if (log != null) {
      body.put("kafka", log.kafkaUp() ? "up" : "down");
      body.put("ingest_lag", log.totalLag());
    }
    Json.write(ctx, accepting ? 200 : 503, body);
  }

  /** 200 while the database is reachable and the server is not stopping; 503 otherwise. */
  private void readyz(Context ctx) {
    boolean ready = !draining.getAsBoolean() && database.isReachable();
    Json.write(ctx, ready ? 200 : 503, Map.of("status", ready ? "ready" : "not ready"));
  }

  private void dlqSummary(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("configured", dlq != null);
    if (dlq != null) {
      DeadLetterQueue.Summary s = dlq.summary();
      body.put("depth", s.depth());
      body.put("pending", s.pending());
      body.put("oldest_queued_at", s.oldestQueuedAt().orElse(null));
      body.put("dead_lettered", s.dead());
      body.put("replayed_events", (long) replay.replayedCount());
      body.put("replay_worker_running", replay.isRunning());
      body.put("recent_dead", dlq.recentDead(20));
    }
    Json.write(ctx, 200, body);
  }
}
