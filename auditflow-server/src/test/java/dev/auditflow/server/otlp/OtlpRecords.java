package dev.auditflow.server.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/** OTLP log records for tests, built with the official generated classes. */
final class OtlpRecords {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";

  private OtlpRecords() {}

  static KeyValue text(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  /** A record that maps to a valid event of {@code correlation}. */
  static LogRecord.Builder valid(String correlation) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(nanos(Instant.now()))
        .setSeverityNumberValue(13) // WARN
        .setEventName("payment.refund.issued")
        .setBody(AnyValue.newBuilder().setStringValue("refund issued"))
        .setTraceId(ByteString.fromHex(TRACE))
        .setSpanId(ByteString.fromHex(SPAN))
        .addAttributes(text("audit.event_category", "payment"))
        .addAttributes(text("audit.event_action", "refund"))
        .addAttributes(text("audit.event_outcome", "success"))
        .addAttributes(text("audit.correlation_id", correlation))
        .addAttributes(integer("amount_cents", 1250));
  }

  static long nanos(Instant time) {
    return time.getEpochSecond() * 1_000_000_000L + time.getNano();
  }

  static ExportLogsServiceRequest request(List<LogRecord> records) {
    Resource resource = Resource.newBuilder().addAttributes(text("service.name", "payments"))
        .addAttributes(text("k8s.namespace.name", "shop")).build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("shop.audit")
            .setVersion("1.2")).addAllLogRecords(records))).build();
  }

  static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
