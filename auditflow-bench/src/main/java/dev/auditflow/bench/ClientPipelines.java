package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.BatchTransport;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessorBuilder;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The two client pipelines the client benchmarks compare, built the same way everywhere, and the
 * one event both of them are given: a <em>new</em> record per call with the same fields — type,
 * time, category, action, outcome, correlation, and a ~300-byte payload that differs on every call
 * (it ends with the call's number {@code n}, also kept as a number). The time is now, or the time
 * the caller gives (the open-loop benchmark gives the event's scheduled time, which both sinks
 * read back from the field each pipeline carries anyway).
 */
public final class ClientPipelines {
  private static final AttributeKey<Long> N = AttributeKey.longKey("n");
  private static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("event_category");
  private static final AttributeKey<String> ACTION = AttributeKey.stringKey("event_action");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("event_outcome");
  private static final AttributeKey<String> CORRELATION = AttributeKey.stringKey("correlation_id");
  private static final AttributeKey<String> PAYLOAD = AttributeKey.stringKey("payload");
  private static final String PAYLOAD_PREFIX = "x".repeat(280);

  private ClientPipelines() {}

  /**
   * How both pipelines are sized. {@code DEFAULTS}: each its own documented defaults (auditflow
   * buffer 10 000, batch 1 000, 2 batches in flight; OTel queue 2 048, batch 512, one export at a
   * time). {@code EQUAL}: both at OTel's — queue 2 048, batch 512, one batch in flight. Both flush
   * a partial batch after 1 s (either's default).
   */
  public enum Sizing {
    DEFAULTS,
    EQUAL;

    AuditStore auditflow(BatchTransport sink) {
      return auditflow(sink, true);
    }

    /** @param numbered producer sequences (on by default in the client: docs/COMPLETENESS.md) */
    AuditStore auditflow(BatchTransport sink, boolean numbered) {
      AuditStoreBuilder builder = AuditStore.builder().transport(sink).producerSequences(numbered);
      if (this == EQUAL) {
        builder.bufferSize(2_048).batchSize(512).maxInFlightBatches(1).flushInterval(Duration.ofSeconds(1));
      }
      return builder.build();
    }

    SdkLoggerProvider otel(LogRecordExporter sink) {
      BatchLogRecordProcessorBuilder processor = BatchLogRecordProcessor.builder(sink);
      if (this == EQUAL) {
        processor.setMaxQueueSize(2_048).setMaxExportBatchSize(512).setScheduleDelay(Duration.ofSeconds(1));
      }
      return SdkLoggerProvider.builder().addLogRecordProcessor(processor.build()).build();
    }
  }

  /** The event, built through the builder; {@code store()} then validates it. */
  static AuditEvent auditflowEvent(long n) {
    return auditflowEvent(n, Instant.now());
  }

  static AuditEvent auditflowEvent(long n, Instant at) {
    return AuditEvent.builder().eventType("bench.event.emitted").eventTimestamp(at).eventCategory("bench")
        .eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId("bench-" + (n & 127))
        .eventData(Map.of("payload", payload(n), "n", n)).build();
  }

  /** The same event as an OTel log record, built and emitted. */
  static void emitOtel(Logger logger, long n) {
    emitOtel(logger, n, Instant.now());
  }

  static void emitOtel(Logger logger, long n, Instant at) {
    logger.logRecordBuilder().setTimestamp(at).setBody("bench.event.emitted")
        .setAttribute(CATEGORY, "bench").setAttribute(ACTION, "emit").setAttribute(OUTCOME, "success")
        .setAttribute(CORRELATION, "bench-" + (n & 127)).setAttribute(PAYLOAD, payload(n)).setAttribute(N, n)
        .emit();
  }

  /** ~300 bytes, different for every {@code n}. */
  private static String payload(long n) {
    return PAYLOAD_PREFIX + n;
  }
}
