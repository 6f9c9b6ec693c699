package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** No-op ends of both pipelines that only count what reaches them: the "delivered" of the benchmarks. */
final class CountingSinks {
  private CountingSinks() {}

  static BatchTransport transport(LongAdder delivered) {
    return new BatchTransport() {
      @Override
      public BatchAck send(List<AuditEvent> events, Duration timeout) {
        delivered.add(events.size());
        return new BatchAck(events.size(), 0, false);
      }

      @Override
      public String toString() {
        return "counting no-op";
      }
    };
  }

  static LogRecordExporter exporter(LongAdder delivered) {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        delivered.add(logs.size());
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
