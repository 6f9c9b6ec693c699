package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Emit → queryable at the seed's trickle (5 events/s) through OTLP — the OpenTelemetry Java SDK's
 * {@code BatchLogRecordProcessor} and {@code OtlpHttpLogRecordExporter} posting to {@code /v1/logs}
 * (docs/OTLP.md) — against the auditflow client posting to the REST batch endpoint, both with the
 * same queue (100), batch (10) and interval (1 s), one after the other in each round, against one
 * server. Each pipeline exports once before it is measured: its first export pays one-off costs
 * (class loading, the first connection) that a running service paid long ago.
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.OtlpLatency [rounds] [seconds]}
 */
public final class OtlpLatency {
  private static final int EVENTS_PER_SECOND = 5;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    try (BenchServer server = new BenchServer(4)) {
      for (int round = 1; round <= rounds; round++) {
        client(server, round, seconds * EVENTS_PER_SECOND);
        otlp(server, round, seconds * EVENTS_PER_SECOND);
      }
    }
  }

  private static void client(BenchServer server, int round, int events) throws Exception {
    String run = "otlp-latency-" + round + "-client-" + System.nanoTime();
    try (AuditStore store = AuditStore.builder().endpoint(server.uri()).bearerToken(server.token())
        .bufferSize(100).batchSize(10).flushInterval(Duration.ofSeconds(1)).build()) {
      store.store(event(run + "-warm-up", 0));
      store.flush(Duration.ofSeconds(30));
      EmitLatency.trickle(events, EVENTS_PER_SECOND, i -> store.store(event(run, i)));
      store.flush(Duration.ofSeconds(30));
    }
    EmitLatency.print(String.format("round %d %-28s", round, "auditflow client (REST)"),
        EmitLatency.readBack(server, run), events);
  }

  private static AuditEvent event(String correlation, int i) {
    return AuditEvent.builder().eventType("bench.otlp-latency").eventTimestamp(Instant.now()).eventCategory("bench")
        .eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId(correlation).eventData(Map.of("i", i))
        .build();
  }

  private static void otlp(BenchServer server, int round, int events) throws Exception {
    String run = "otlp-latency-" + round + "-otlp-" + System.nanoTime();
    OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder().setEndpoint(server.uri() + "/v1/logs")
        .addHeader("Authorization", "Bearer " + server.token()).build();
    try (SdkLoggerProvider logs = SdkLoggerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "bench")))
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).setMaxQueueSize(100).setMaxExportBatchSize(10)
            .setScheduleDelay(Duration.ofSeconds(1)).build()).build()) {
      Logger logger = logs.get("bench");
      record(logger, run + "-warm-up", 0);
      logs.forceFlush().join(30, TimeUnit.SECONDS);
      EmitLatency.trickle(events, EVENTS_PER_SECOND, i -> record(logger, run, i));
      logs.forceFlush().join(30, TimeUnit.SECONDS);
    }
    EmitLatency.print(String.format("round %d %-28s", round, "OpenTelemetry SDK (OTLP)"),
        EmitLatency.readBack(server, run), events);
  }

  private static void record(Logger logger, String correlation, int i) {
    logger.logRecordBuilder().setTimestamp(Instant.now()).setEventName("bench.otlp-latency")
        .setAttribute(AttributeKey.stringKey("audit.event_category"), "bench")
        .setAttribute(AttributeKey.stringKey("audit.event_action"), "emit")
        .setAttribute(AttributeKey.stringKey("audit.event_outcome"), "success")
        .setAttribute(AttributeKey.stringKey("audit.correlation_id"), correlation)
        .setAttribute(AttributeKey.longKey("i"), (long) i).emit();
  }
}
