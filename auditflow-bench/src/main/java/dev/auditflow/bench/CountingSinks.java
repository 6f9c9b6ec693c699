package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * No-op ends of both pipelines that only count what reaches them: the "delivered" of the
 * benchmarks. Neither serialises or sends anything.
 */
final class CountingSinks {
  private CountingSinks() {}

  static BatchTransport transport(LongAdder delivered) {
    return transportOf(events -> delivered.add(events.size()));
  }

  /**
   * Also hands each delivered event's time to {@code eachTime}, in nanoseconds since the epoch (the
   * open-loop benchmark times events by it). Events of the client's own (a producer epoch's
   * closing declaration) are not handed over.
   */
  static BatchTransport transport(LongConsumer eachTime) {
    return transportOf(events -> events.forEach(e -> {
      if (!Declaration.claims(e)) {
        Instant at = e.eventTimestamp();
        eachTime.accept(at.getEpochSecond() * 1_000_000_000L + at.getNano());
      }
    }));
  }

  private static BatchTransport transportOf(Consumer<List<AuditEvent>> batches) {
    return new BatchTransport() {
      @Override
      public BatchAck send(List<AuditEvent> events, Duration timeout) {
        batches.accept(events);
        return new BatchAck(events.size(), 0, false);
      }

      @Override
      public String toString() {
        return "counting no-op";
      }
    };
  }

  static LogRecordExporter exporter(LongAdder delivered) {
    return exporterOf(logs -> delivered.add(logs.size()));
  }

  /** Also hands each delivered record's time to {@code eachTime}, in nanoseconds since the epoch. */
  static LogRecordExporter exporter(LongConsumer eachTime) {
    return exporterOf(logs -> logs.forEach(l -> eachTime.accept(l.getTimestampEpochNanos())));
  }

  private static LogRecordExporter exporterOf(Consumer<Collection<LogRecordData>> batches) {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        batches.accept(logs);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
