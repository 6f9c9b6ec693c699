package dev.auditflow.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.Status;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/logs} against a running server and real PostgreSQL: both encodings, gzip,
 * partial success, a request with no valid record, failures in OTLP's own form, and roles.
 */
class OtlpEndpointTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Answer(int status, String contentType, byte[] body) {}

  private static Answer post(String contentType, byte[] body, String token, boolean gzip) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(fx.baseUri().resolve(OtlpRoutes.LOGS))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(body) : body));
    if (gzip) {
      request.header("Content-Encoding", "gzip");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    }
    return out.toByteArray();
  }

  private static JsonNode events(String correlation) {
    return fx.get("/api/v1/audit/events?correlation_id=" + correlation).json().get("data");
  }

  @Test
  void validRecordsAreStoredAndEachInvalidOneIsRefusedAloneWithOtlpsPartialSuccess() throws Exception {
    ExportLogsServiceRequest request = OtlpRecords.request(List.of(
        OtlpRecords.valid("otlp-partial").build(),
        OtlpRecords.valid("otlp-partial").removeAttributes(2).build(), // no audit.event_outcome
        OtlpRecords.valid("otlp-partial").setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
            .setStringValue("second")).build()));
    Answer answer = post(OtlpCodec.PROTOBUF, request.toByteArray(), fx.adminToken(), false);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo(OtlpCodec.PROTOBUF);
    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(answer.body());
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("1 of 3 log records were refused; the first:"
        + " log record resource_logs[0].scope_logs[0].log_records[1]: audit.event_outcome is required;"
        + " one of success, failure, pending");

    JsonNode stored = events("otlp-partial");
    assertThat(stored).hasSize(2);
    JsonNode first = stored.get(0);
    assertThat(first.get("event_type").asText()).isEqualTo("payment.refund.issued");
    assertThat(first.get("trace_id").asText()).isEqualTo(OtlpRecords.TRACE);
    assertThat(first.get("span_id").asText()).isEqualTo(OtlpRecords.SPAN);
    assertThat(first.get("actor_id").asText()).isEqualTo("payments");
    assertThat(first.get("namespace").asText()).isEqualTo("shop");
    assertThat(first.at("/event_data/attributes/amount_cents").asInt()).isEqualTo(1250);
    assertThat(first.at("/event_data/scope/version").asText()).isEqualTo("1.2");
    assertThat(fx.get("/api/v1/audit/events?trace_id=" + OtlpRecords.TRACE).json().get("data").size())
        .isGreaterThanOrEqualTo(2);

    // The exporter resends on a timeout: the same records are the same events, stored once.
    assertThat(post(OtlpCodec.PROTOBUF, request.toByteArray(), fx.adminToken(), false).status()).isEqualTo(200);
    assertThat(events("otlp-partial")).hasSize(2);
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"otlp-partial\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
  }

  @Test
  void otlpJsonWithHexIdsAndGzipIsReadAndAnsweredInJson() throws Exception {
    long nanos = OtlpRecords.nanos(Instant.now());
    String json = """
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
          "scopeLogs":[{"scope":{"name":"cart.audit"},"logRecords":[
            {"timeUnixNano":"%d","severityNumber":17,"traceId":"%s","spanId":"%s","body":{"stringValue":"checkout"},
             "attributes":[
               {"key":"audit.event_type","value":{"stringValue":"cart.checkout.failed"}},
               {"key":"audit.event_category","value":{"stringValue":"cart"}},
               {"key":"audit.event_action","value":{"stringValue":"checkout"}},
               {"key":"audit.event_outcome","value":{"stringValue":"failure"}},
               {"key":"audit.correlation_id","value":{"stringValue":"otlp-json"}},
               {"key":"audit.duration_ms","value":{"intValue":"42"}}]},
            {"timeUnixNano":"%d","traceId":"not-hex","attributes":[
               {"key":"audit.event_type","value":{"stringValue":"cart.checkout.failed"}}]}
          ]}]}]}
        """.formatted(nanos, OtlpRecords.TRACE, OtlpRecords.SPAN, nanos);
    Answer answer = post("application/json", json.getBytes(StandardCharsets.UTF_8), fx.adminToken(), true);
    assertThat(answer.status()).as(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(answer.contentType()).isEqualTo(OtlpCodec.JSON);
    JsonNode response = dev.auditflow.api.AuditEventJson.mapper().readTree(answer.body());
    assertThat(response.at("/partialSuccess/rejectedLogRecords").asText()).isEqualTo("1");
    assertThat(response.at("/partialSuccess/errorMessage").asText())
        .contains("log_records[1]: trace_id must be 16 bytes (32 hex digits in OTLP/JSON)");

    JsonNode stored = events("otlp-json");
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).get("trace_id").asText()).isEqualTo(OtlpRecords.TRACE);
    assertThat(stored.get(0).get("severity").asText()).isEqualTo("error");
    assertThat(stored.get(0).get("duration_ms").asLong()).isEqualTo(42);
    assertThat(stored.get(0).get("event_outcome").asText()).isEqualTo("failure");
  }

  @Test
  void aRequestWithNoValidRecordIsA400WhoseStatusSaysWhy() throws Exception {
    ExportLogsServiceRequest request = OtlpRecords.request(List.of(
        OtlpRecords.valid("otlp-none").addAttributes(OtlpRecords.text("audit.event_category", "auditflow")).build()));
    Answer answer = post(OtlpCodec.PROTOBUF, request.toByteArray(), fx.adminToken(), false);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).isEqualTo(OtlpCodec.PROTOBUF);
    Status status = Status.parseFrom(answer.body());
    assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT.getNumber());
    assertThat(status.getMessage()).startsWith("all 1 log records were refused, nothing was stored; the first: log record"
        + " resource_logs[0].scope_logs[0].log_records[0]: audit.event_category \"auditflow\" is reserved");
    assertThat(events("otlp-none")).isEmpty();
  }

  @Test
  void failuresAreAnsweredAsOtlpStatusesInTheRequestsEncoding() throws Exception {
    byte[] body = OtlpRecords.request(List.of(OtlpRecords.valid("otlp-denied").build())).toByteArray();
    Answer anonymous = post(OtlpCodec.PROTOBUF, body, null, false);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(Status.parseFrom(anonymous.body()).getCode()).isEqualTo(com.google.rpc.Code.UNAUTHENTICATED.getNumber());
    Answer reader = post(OtlpCodec.PROTOBUF, body, fx.token(Role.READER), false);
    assertThat(reader.status()).isEqualTo(403);
    assertThat(Status.parseFrom(reader.body()).getMessage()).contains("writer");
    assertThat(post(OtlpCodec.PROTOBUF, body, fx.token(Role.WRITER), false).status()).isEqualTo(200);

    Answer text = post("text/plain", body, fx.adminToken(), false);
    assertThat(text.status()).isEqualTo(415);
    assertThat(Status.parseFrom(text.body()).getMessage()).contains("application/x-protobuf or application/json");
    Answer garbage = post(OtlpCodec.JSON, "{\"resourceLogs\": 7}".getBytes(StandardCharsets.UTF_8), fx.adminToken(), false);
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(garbage.contentType()).isEqualTo(OtlpCodec.JSON);
    assertThat(new String(garbage.body(), StandardCharsets.UTF_8)).contains("\"code\":3").contains("ExportLogsServiceRequest");
    // A small body that inflates past the body limit (16 MiB) is refused as too large, not inflated whole.
    Answer bomb = post(OtlpCodec.PROTOBUF, new byte[17 * 1024 * 1024], fx.adminToken(), true);
    assertThat(bomb.status()).isEqualTo(413);
    assertThat(Status.parseFrom(bomb.body()).getMessage()).contains("decompresses to more than");
  }

  @Test
  void anEmptyExportIsAnEmptySuccess() throws Exception {
    Answer answer = post(OtlpCodec.PROTOBUF, new byte[0], fx.adminToken(), false);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(ExportLogsServiceResponse.parseFrom(answer.body()).hasPartialSuccess()).isFalse();
  }
}
