package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ingest endpoints against a real server and a real PostgreSQL. */
class IngestTest {

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.maxBatchSize(50).maxBodyBytes(256 * 1024 + 8 * 1024));

  private static long count(String correlationId) {
    return fx.get("/api/v1/audit/events/count?correlation_id=" + correlationId).json().get("count").asLong();
  }

  @Test
  void singleEventIsCreatedThenADuplicate() {
    ObjectNode event = EventJson.valid("single-1");
    var first = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().get("event_id").asText()).isEqualTo(event.get("event_id").asText());
    assertThat(first.json().get("duplicate").asBoolean()).isFalse();
    var again = fx.postJson("/api/v1/audit/events", event.toString());
    // 201 again, not 200: Kubernaut's client takes any other 2xx for an error and would retry.
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();
    assertThat(again.json().get("message").asText()).contains("already stored");
    assertThat(count("single-1")).isEqualTo(1);
  }

  @Test
  void storedEventReadsBackWithEveryFieldAndServerFields() {
    ObjectNode parent = EventJson.valid("roundtrip-1", Instant.parse("2025-12-30T10:00:00Z"));
    ObjectNode event = EventJson.valid("roundtrip-1");
    event.put("actor_type", "user").put("actor_id", "alice").put("actor_ip", "192.0.2.7").put("resource_type", "order")
        .put("resource_id", "o-1").put("resource_name", "Order 1").put("parent_event_id", parent.get("event_id").asText())
        .put("namespace", "prod").put("cluster_name", "eu-1").put("cluster_id", "eu-1").put("severity", "critical")
        .put("duration_ms", 12).put("error_code", "E1").put("error_message", "boom").put("retention_days", 30)
        .put("is_sensitive", true).put("version", "2.0").put("event_timestamp", "2026-01-01T00:00:00.1234567+01:00")
        .put("parent_event_date", "2025-12-30T00:00:00.000000Z");
    ServerFixture wide = ServerFixture.start(b -> b.maxEventAge(java.time.Duration.ofDays(3650)));
    try (wide) {
      assertThat(wide.postJson("/api/v1/audit/events", parent.toString()).status()).isEqualTo(201);
      assertThat(wide.postJson("/api/v1/audit/events", event.toString()).status()).isEqualTo(201);
      JsonNode stored = wide.get("/api/v1/audit/events/" + event.get("event_id").asText()).json();
      event.fieldNames().forEachRemaining(name -> {
        if (!name.equals("event_timestamp")) {
          assertThat(stored.get(name)).as(name).isEqualTo(event.get(name));
        }
      });
      assertThat(stored.get("event_timestamp").asText()).isEqualTo("2025-12-31T23:00:00.123456Z");
      assertThat(stored.get("event_date").asText()).isEqualTo("2025-12-31");
      assertThat(stored.get("received_at").asText()).endsWith("Z");
    }
  }

  @Test
  void batchStoresAllAndAnswersIdsInRequestOrder() {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ObjectNode e = EventJson.valid("batch-order");
      ids.add(e.get("event_id").asText());
      batch.add(e);
    }
    var r = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(r.status()).isEqualTo(201);
    List<String> answered = new ArrayList<>();
    r.json().get("event_ids").forEach(n -> answered.add(n.asText()));
    assertThat(answered).containsExactlyElementsOf(ids);
    assertThat(r.json().get("created").asInt()).isEqualTo(20);
    assertThat(r.json().get("duplicates").asInt()).isZero();
    // A replay of the same batch plus one new event: duplicates counted, not errors.
    batch.add(EventJson.valid("batch-order"));
    var replay = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.json().get("created").asInt()).isEqualTo(1);
    assertThat(replay.json().get("duplicates").asInt()).isEqualTo(20);
    assertThat(count("batch-order")).isEqualTo(21);
  }

  @Test
  void batchWithOneBadEventStoresNothingAndNamesTheIndex() {
    ObjectNode bad = EventJson.valid("atomic-1");
    bad.remove("event_type");
    bad.put("event_outcome", "maybe");
    ArrayNode batch = EventJson.array(EventJson.valid("atomic-1"), EventJson.valid("atomic-1"), bad, EventJson.valid("atomic-1"));
    var r = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    JsonNode problem = r.json();
    assertThat(problem.get("type").asText()).isEqualTo("https://auditflow.dev/problems/validation-error");
    assertThat(problem.get("errors")).hasSize(2);
    problem.get("errors").forEach(e -> assertThat(e.get("index").asInt()).isEqualTo(2));
    assertThat(problem.get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("event_type", "event_outcome");
    assertThat(count("atomic-1")).isZero();
  }

  @Test
  void nonArrayAndEmptyBatchesAreValidationErrors() {
    var object = fx.postJson("/api/v1/audit/events/batch", EventJson.valid("x").toString());
    assertThat(object.status()).isEqualTo(400);
    assertThat(object.json().get("errors").get(0).get("field").asText()).isEqualTo("$");
    var empty = fx.postJson("/api/v1/audit/events/batch", "[]");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().get("errors").get(0).get("message").asText()).contains("empty");
  }

  @Test
  void tooManyEventsIs413AndStoresNothing() {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < 51; i++) {
      batch.add(EventJson.valid("too-many"));
    }
    var r = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("type").asText()).endsWith("/payload-too-large");
    assertThat(r.json().get("detail").asText()).contains("maximum allowed batch size of 50");
    assertThat(count("too-many")).isZero();
  }

  @Test
  void oversizedBodyIs413() {
    ObjectNode event = EventJson.valid("too-big");
    ((ObjectNode) event.get("event_data")).put("blob", "x".repeat(270 * 1024));
    var r = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().get("type").asText()).endsWith("/payload-too-large");
    assertThat(count("too-big")).isZero();
  }

  @Test
  void oversizedEventDataIsAValidationErrorOnTheField() {
    ObjectNode event = EventJson.valid("big-data");
    ((ObjectNode) event.get("event_data")).put("blob", "x".repeat(257 * 1024));
    var r = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("event_data");
  }

  @Test
  void wrongContentTypeIs415() {
    var r = fx.post("/api/v1/audit/events", "text/plain", EventJson.valid("ct").toString());
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.json().get("type").asText()).endsWith("/unsupported-media-type");
    var charset = fx.post("/api/v1/audit/events", "application/json; charset=utf-8", EventJson.valid("ct").toString());
    assertThat(charset.status()).isEqualTo(201);
  }

  @Test
  void malformedJsonIs400WithWhere() {
    var r = fx.postJson("/api/v1/audit/events/batch", "[{\"event_type\": }]");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("type").asText()).endsWith("/malformed-json");
    assertThat(r.json().get("detail").asText()).contains("line 1");
    assertThat(fx.postJson("/api/v1/audit/events", "").status()).isEqualTo(400);
  }

  @Test
  void futureAndAncientTimestampsAreRejectedLoudly() {
    var soon = fx.postJson("/api/v1/audit/events", EventJson.valid("ts", Instant.now().plusSeconds(55 * 60)).toString());
    assertThat(soon.status()).as("within Kubernaut's 60 minute window").isEqualTo(201);
    var future = fx.postJson("/api/v1/audit/events", EventJson.valid("ts", Instant.now().plusSeconds(62 * 60)).toString());
    assertThat(future.status()).isEqualTo(400);
    assertThat(future.json().get("errors").get(0).get("message").asText()).contains("in the future");
    var ancient = fx.postJson("/api/v1/audit/events", EventJson.valid("ts", Instant.now().minusSeconds(8 * 86400)).toString());
    assertThat(ancient.status()).isEqualTo(400);
    assertThat(ancient.json().get("errors").get(0).get("message").asText()).contains("older than");
  }

  @Test
  void localTimeWithOffsetIsAcceptedAndStoredInUtc() {
    ObjectNode e = EventJson.valid("offset-1");
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    e.put("event_timestamp", now.atOffset(java.time.ZoneOffset.ofHours(-5)).toString());
    var r = fx.postJson("/api/v1/audit/events", e.toString());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("event_timestamp").asText()).isEqualTo(dev.auditflow.api.Timestamps.format(now));
  }

  @Test
  void missingEventIdIsGeneratedByTheServer() {
    ObjectNode e = EventJson.valid("gen-id");
    e.remove("event_id");
    var r = fx.postJson("/api/v1/audit/events", e.toString());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("event_id").asText()).hasSize(36);
  }

  @Test
  void getByIdAnswers404And400() {
    var missing = fx.get("/api/v1/audit/events/01890a5d-ac96-774b-bcce-b302099a8057");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("type").asText()).endsWith("/not-found");
    var bad = fx.get("/api/v1/audit/events/not-a-uuid");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("event_id");
  }

  @Test
  void unknownRouteAndMethodAreProblems() {
    var unknown = fx.get("/api/v1/nothing-here");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/problem+json");
    var method = fx.send(java.net.http.HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events")).DELETE());
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.contentType()).startsWith("application/problem+json");
  }

  @Test
  void metricsCountWhatHappened() {
    fx.postJson("/api/v1/audit/events", EventJson.valid("metrics-1").toString());
    String metrics = fx.get("/metrics").body();
    assertThat(metrics).contains("auditflow_server_events_total{result=\"created\"}")
        .contains("http_server_requests_seconds_count")
        .contains("hikaricp_connections")
        .contains("jvm_memory_used_bytes");
  }

  /**
   * Hardening finding 3: the primary key (event_id, event_date) let the same id be stored again
   * with a timestamp on another day — a second event that GET by id answered and that verified.
   */
  @Test
  void anEventIdOnAnotherDayIsAConflictAndStoresNothing() {
    ObjectNode original = EventJson.valid("id-twice");
    assertThat(fx.postJson("/api/v1/audit/events", original.toString()).status()).isEqualTo(201);
    ObjectNode forgery = original.deepCopy();
    forgery.put("event_timestamp", dev.auditflow.api.Timestamps.format(Instant.now().minus(java.time.Duration.ofDays(2))))
        .put("event_action", "forged");
    forgery.putObject("event_data").put("n", 666);

    var single = fx.postJson("/api/v1/audit/events", forgery.toString());
    assertThat(single.status()).as(single.body()).isEqualTo(409);
    assertThat(single.json().get("type").asText()).endsWith("/conflict");
    assertThat(single.json().get("errors").get(0).get("field").asText()).isEqualTo("event_id");
    ObjectNode innocent = EventJson.valid("id-twice-batch");
    var batch = fx.postJson("/api/v1/audit/events/batch", EventJson.array(innocent, forgery).toString());
    assertThat(batch.status()).as(batch.body()).isEqualTo(409);
    assertThat(batch.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(batch.json().get("field_errors").has("[1].event_id")).isTrue();

    JsonNode stored = fx.get("/api/v1/audit/events/" + original.get("event_id").asText()).json();
    assertThat(stored.get("event_action").asText()).isEqualTo("store");
    assertThat(count("id-twice")).isEqualTo(1);
    assertThat(count("id-twice-batch")).as("nothing of the refused batch").isZero();
    var verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"id-twice\"}").json();
    assertThat(verified.get("verified").asBoolean()).isTrue();
    assertThat(verified.get("events_checked").asInt()).isEqualTo(1);
  }

  @Test
  void oneIdTwiceInABatchOnTwoDaysIsAConflict() {
    ObjectNode first = EventJson.valid("id-twice-in-batch");
    ObjectNode second = first.deepCopy();
    second.put("event_timestamp", dev.auditflow.api.Timestamps.format(Instant.now().minus(java.time.Duration.ofDays(1))));
    var r = fx.postJson("/api/v1/audit/events/batch", EventJson.array(first, second).toString());
    assertThat(r.status()).as(r.body()).isEqualTo(409);
    assertThat(r.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(count("id-twice-in-batch")).isZero();
    // The same event twice in a batch is still one event, stored once.
    var twice = fx.postJson("/api/v1/audit/events/batch", EventJson.array(first, first.deepCopy()).toString());
    assertThat(twice.status()).isEqualTo(201);
    assertThat(twice.json().get("created").asInt()).isEqualTo(1);
    assertThat(twice.json().get("duplicates").asInt()).isEqualTo(1);
  }

  /**
   * Hardening finding 4: a writer's forged {@code auditflow.access.events.query} in {@code
   * access:token:auditor} verified as that auditor's access chain.
   */
  @Test
  void theServersOwnNamesAreReservedForIt() {
    String[][] forgeries = {
        {"event_category", " AuditFlow", "event_category"},
        {"event_type", "auditflow.access.events.query", "event_type"},
        {"event_type", "datastorage.workflow.created", "event_type"},
        {"correlation_id", "access:token:auditor", "correlation_id"},
        {"correlation_id", "Legal-Hold:order-1", "correlation_id"},
        {"correlation_id", "auditflow:purge", "correlation_id"}};
    for (String[] forgery : forgeries) {
      ObjectNode event = EventJson.valid("reserved");
      event.put(forgery[0], forgery[1]);
      var r = fx.postJson("/api/v1/audit/events", event.toString());
      assertThat(r.status()).as(forgery[1]).isEqualTo(400);
      assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo(forgery[2]);
      assertThat(r.json().get("errors").get(0).get("message").asText()).contains("reserved");
    }
    ObjectNode forged = EventJson.valid("access:token:auditor");
    var batch = fx.postJson("/api/v1/audit/events/batch", EventJson.array(EventJson.valid("reserved"), forged).toString());
    assertThat(batch.status()).isEqualTo(400);
    assertThat(batch.json().get("field_errors").has("[1].correlation_id")).isTrue();
    assertThat(count("reserved")).isZero();
    // Names that merely resemble them stay free.
    ObjectNode near = EventJson.valid("accessible:1");
    near.put("event_category", "auditflows").put("event_type", "auditflowish.event");
    assertThat(fx.postJson("/api/v1/audit/events", near.toString()).status()).isEqualTo(201);
  }
}
