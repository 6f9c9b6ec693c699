package dev.auditflow.server.console;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.dlq.DeadLetterQueue;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.kafka.IngestLogRoutes;
import dev.auditflow.server.kafka.IngestLogStatus;
import dev.auditflow.server.trail.TransparencyLog;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/console/health}: the numbers the console's health view shows, from the
 * server's own meters and state — events by result since this instance started (the page turns
 * two readings into a rate), the dead-letter queue, the verifiable log, and in Kafka mode the
 * ingest log's lag per partition.
 */
public final class ConsoleHealthRoute {
  public static final String PATH = "/api/v1/console/health";

  private final MeterRegistry registry;
  private final DeadLetterQueue dlq;
  private final TransparencyLog log;
  private final Clock clock;
  private final IngestLogStatus ingestLog;

  /**
   * @param dlq the dead-letter queue, or null without one
   * @param ingestLog Kafka mode's ingest log, or null in direct mode
   */
  public ConsoleHealthRoute(MeterRegistry registry, DeadLetterQueue dlq, IngestLogStatus ingestLog, TransparencyLog log,
      Clock clock) {
    this.registry = registry;
    this.ingestLog = ingestLog;
    this.dlq = dlq;
    this.log = log;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.get(PATH, this::health);
  }

  private void health(Context ctx) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("time", Timestamps.format(clock.instant()));
    Map<String, Object> events = new LinkedHashMap<>();
    for (String result : new String[] {"created", "duplicate", "rejected", "queued", "accepted"}) {
      Counter counter = registry.find("auditflow.server.events").tag("result", result).counter();
      events.put(result, counter == null ? 0 : (long) counter.count());
    }
    answer.put("events", events);
    Map<String, Object> queue = new LinkedHashMap<>();
    queue.put("configured", dlq != null);
    if (dlq != null) {
      DeadLetterQueue.Summary s = dlq.summary();
      queue.put("depth", s.depth());
      queue.put("dead", s.dead());
      queue.put("oldest_queued_at", s.oldestQueuedAt().orElse(null));
    }
    answer.put("dlq", queue);
    TransparencyLog.State state = log.state();
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("tree_size", state.size());
    tree.put("checkpoint", state.checkpoint() != null);
    tree.put("queued_events", log.queuedEvents());
    answer.put("log", tree);
    Map<String, Object> kafka = new LinkedHashMap<>();
    kafka.put("configured", ingestLog != null);
    if (ingestLog != null) {
      kafka.putAll(IngestLogRoutes.lag(ingestLog.snapshot()));
    }
    answer.put("ingest_log", kafka);
    Json.write(ctx, 200, answer);
  }
}
