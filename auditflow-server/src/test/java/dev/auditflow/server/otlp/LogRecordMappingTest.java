package dev.auditflow.server.otlp;

import static dev.auditflow.server.otlp.OtlpRecords.integer;
import static dev.auditflow.server.otlp.OtlpRecords.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.ParsedEvent;
import dev.auditflow.api.Violation;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogRecordMappingTest {
  private static final Resource RESOURCE = Resource.newBuilder().addAttributes(text("service.name", "payments"))
      .addAttributes(text("k8s.namespace.name", "shop")).addAttributes(text("k8s.cluster.name", "eu-1")).build();
  private static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder().setName("shop.audit").build();

  private static ParsedEvent map(LogRecord.Builder record) {
    return LogRecordMapping.map(RESOURCE, SCOPE, record.build());
  }

  @Test
  void aRecordBecomesAnEventByTheDocumentedMapping() {
    Instant time = Instant.parse("2026-12-06T10:15:30.123456789Z");
    AuditEvent e = map(OtlpRecords.valid("order-7").setTimeUnixNano(OtlpRecords.nanos(time))
        .setSeverityText("WARN").addAttributes(text("audit.resource_type", "order"))).event();
    assertThat(e.eventType()).isEqualTo("payment.refund.issued"); // the record's event_name
    assertThat(e.eventCategory()).isEqualTo("payment");
    assertThat(e.eventOutcome().wireName()).isEqualTo("success");
    assertThat(e.correlationId()).isEqualTo("order-7");
    assertThat(e.eventTimestamp()).isEqualTo(Instant.parse("2026-12-06T10:15:30.123456Z"));
    assertThat(e.severity()).isEqualTo("warning");
    assertThat(e.actorId()).isEqualTo("payments"); // service.name, the emitting service
    assertThat(e.actorType()).isEqualTo("service");
    assertThat(e.namespace()).isEqualTo("shop");
    assertThat(e.clusterName()).isEqualTo("eu-1");
    assertThat(e.resourceType()).isEqualTo("order");
    assertThat(e.traceId()).isEqualTo(OtlpRecords.TRACE);
    assertThat(e.spanId()).isEqualTo(OtlpRecords.SPAN);
    assertThat(AuditEventJson.mapper().valueToTree(e.eventData()).toString()).isEqualTo(
        "{\"body\":\"refund issued\",\"attributes\":{\"amount_cents\":1250},\"resource\":{\"service.name\":\"payments\","
            + "\"k8s.namespace.name\":\"shop\",\"k8s.cluster.name\":\"eu-1\"},\"scope\":{\"name\":\"shop.audit\"},"
            + "\"severity_text\":\"WARN\"}");
    // The id is the content's: the same record resent is the same event.
    assertThat(map(OtlpRecords.valid("order-7").setTimeUnixNano(OtlpRecords.nanos(time)).setSeverityText("WARN")
        .addAttributes(text("audit.resource_type", "order"))).event().eventId()).isEqualTo(e.eventId());
  }

  @Test
  void auditAttributesWinOverConventionsAndTheEndUserIsAUser() {
    AuditEvent byUser = map(OtlpRecords.valid("o").addAttributes(text("enduser.id", "alice"))
        .addAttributes(text("client.address", "10.0.0.7"))).event();
    assertThat(byUser.actorId()).isEqualTo("alice");
    assertThat(byUser.actorType()).isEqualTo("user");
    assertThat(byUser.actorIp()).isEqualTo("10.0.0.7");
    AuditEvent explicit = map(OtlpRecords.valid("o").addAttributes(text("enduser.id", "alice"))
        .addAttributes(text("audit.actor_id", "svc-billing")).addAttributes(text("audit.event_type", "refund.done"))
        .addAttributes(text("audit.severity", "critical")).addAttributes(integer("audit.duration_ms", 12))
        .addAttributes(KeyValue.newBuilder().setKey("audit.is_sensitive").setValue(AnyValue.newBuilder().setBoolValue(true)))
    ).event();
    assertThat(explicit.actorId()).isEqualTo("svc-billing");
    assertThat(explicit.actorType()).isEqualTo("service");
    assertThat(explicit.eventType()).isEqualTo("refund.done");
    assertThat(explicit.severity()).isEqualTo("critical");
    assertThat(explicit.durationMs()).isEqualTo(12L);
    assertThat(explicit.sensitive()).isTrue();
  }

  @Test
  void severityNumbersMapByOpenTelemetrysRanges() {
    assertThat(LogRecordMapping.severity(0)).isNull();
    assertThat(LogRecordMapping.severity(1)).isEqualTo("debug");
    assertThat(LogRecordMapping.severity(8)).isEqualTo("debug");
    assertThat(LogRecordMapping.severity(9)).isEqualTo("info");
    assertThat(LogRecordMapping.severity(16)).isEqualTo("warning");
    assertThat(LogRecordMapping.severity(17)).isEqualTo("error");
    assertThat(LogRecordMapping.severity(21)).isEqualTo("critical");
    assertThat(map(OtlpRecords.valid("o").clearSeverityNumber()).event().severity()).isEqualTo("info");
  }

  @Test
  void withoutItsOwnTimeARecordTakesTheObservedTimeAndWithNeitherItIsRefused() {
    Instant observed = Instant.parse("2026-12-06T10:00:00Z");
    assertThat(map(OtlpRecords.valid("o").clearTimeUnixNano().setObservedTimeUnixNano(OtlpRecords.nanos(observed)))
        .event().eventTimestamp()).isEqualTo(observed);
    assertThat(map(OtlpRecords.valid("o").clearTimeUnixNano()).violations()).extracting(Violation::field)
        .containsExactly("time_unix_nano");
  }

  @Test
  void idsThatAreAllZeroAreNoneAndIdsOfTheWrongLengthAreRefused() {
    AuditEvent untraced = map(OtlpRecords.valid("o").setTraceId(ByteString.copyFrom(new byte[16]))
        .setSpanId(ByteString.copyFrom(new byte[8]))).event();
    assertThat(untraced.traceId()).isNull();
    assertThat(untraced.spanId()).isNull();
    ParsedEvent shortId = map(OtlpRecords.valid("o").setTraceId(ByteString.copyFrom(new byte[] {1, 2})));
    assertThat(shortId.event()).isNull();
    assertThat(shortId.violations()).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("trace_id");
      assertThat(v.message()).isEqualTo("must be 16 bytes (32 hex digits in OTLP/JSON)");
    });
  }

  @Test
  void aMisspeltOrMistypedAuditAttributeIsRefusedNamingIt() {
    ParsedEvent misspelt = map(OtlpRecords.valid("o").addAttributes(text("audit.evnt_type", "x")));
    assertThat(misspelt.violations()).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("audit.evnt_type");
      assertThat(v.message()).contains("audit.event_type");
    });
    assertThat(map(OtlpRecords.valid("o").addAttributes(integer("audit.event_action", 3))).violations())
        .extracting(Violation::toString).containsExactly("audit.event_action: must be a string, was an integer");
    assertThat(map(OtlpRecords.valid("o").addAttributes(text("audit.event_outcome", "ok"))).violations())
        .extracting(Violation::toString)
        .containsExactly("audit.event_outcome: must be one of success, failure, pending, was \"ok\"");
  }

  @Test
  void everyValueKindBecomesJson() {
    AnyValue nested = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(text("who", "bob"))
        .addValues(KeyValue.newBuilder().setKey("ratio").setValue(AnyValue.newBuilder().setDoubleValue(0.5)))
        .addValues(KeyValue.newBuilder().setKey("nan").setValue(AnyValue.newBuilder().setDoubleValue(Double.NaN)))
        .addValues(KeyValue.newBuilder().setKey("raw").setValue(AnyValue.newBuilder()
            .setBytesValue(ByteString.copyFromUtf8("hi"))))
        .addValues(KeyValue.newBuilder().setKey("list").setValue(AnyValue.newBuilder().setArrayValue(
            io.opentelemetry.proto.common.v1.ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setIntValue(1))
                .addValues(AnyValue.newBuilder().setBoolValue(false)))))).build();
    assertThat(LogRecordMapping.json(nested).toString())
        .isEqualTo("{\"who\":\"bob\",\"ratio\":0.5,\"nan\":\"NaN\",\"raw\":\"aGk=\",\"list\":[1,false]}");
  }
}
