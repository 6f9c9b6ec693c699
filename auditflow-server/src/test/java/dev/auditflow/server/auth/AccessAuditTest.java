package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who submitted what and who read what are recorded by the server, from the authenticated
 * principal — never from anything the caller says about itself.
 */
class AccessAuditTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static String token(String name, Role role) {
    return fx.server().apiTokens().create(name, EnumSet.of(role), null, "test").secret();
  }

  private static JsonNode eventsOf(String correlationId) {
    return fx.get("/api/v1/audit/events?correlation_id=" + correlationId).json().get("data");
  }

  @Test
  void theSubmitterIsTheTokenNotWhatTheEventClaims() {
    String gateway = token("gateway-" + UUID.randomUUID().toString().substring(0, 6), Role.WRITER);
    String correlation = "forged-" + UUID.randomUUID();
    var event = EventJson.valid(correlation).put("ingested_by", "token:admin");
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event.toString())), gateway)
        .status()).isEqualTo(201);
    var second = EventJson.valid(correlation).put("ingested_by", "token:admin");
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events/batch"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[" + second + "]")), gateway)
        .status()).isEqualTo(201);

    JsonNode stored = eventsOf(correlation);
    assertThat(stored).hasSize(2);
    for (JsonNode e : stored) {
      assertThat(e.get("ingested_by").asText()).startsWith("token:gateway-");
    }
  }

  @Test
  void aQueryIsRecordedWithWhoAskedWhatAndHowManyResults() {
    String name = "monitor-" + UUID.randomUUID().toString().substring(0, 6);
    String reader = token(name, Role.READER);
    String correlation = "read-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid(correlation).toString()).status()).isEqualTo(201);
    }

    var answer = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?correlation_id=" + correlation))
        .GET(), reader);
    assertThat(answer.status()).isEqualTo(200);

    JsonNode access = eventsOf("access:token:" + name);
    assertThat(access).hasSize(1);
    JsonNode record = access.get(0);
    assertThat(record.get("event_type").asText()).isEqualTo("auditflow.access.events.query");
    assertThat(record.get("event_category").asText()).isEqualTo("auditflow");
    assertThat(record.get("actor_id").asText()).isEqualTo("token:" + name);
    assertThat(record.get("actor_type").asText()).isEqualTo("token");
    assertThat(record.get("ingested_by").asText()).isEqualTo("token:" + name);
    assertThat(record.at("/event_data/query/correlation_id").asText()).isEqualTo(correlation);
    assertThat(record.at("/event_data/results").asInt()).isEqualTo(3);
    assertThat(record.at("/event_data/status").asInt()).isEqualTo(200);
  }

  @Test
  void accessRecordsAreChainedLikeAnyEvent() {
    String name = "chained-" + UUID.randomUUID().toString().substring(0, 6);
    String reader = token(name, Role.READER);
    for (int i = 0; i < 3; i++) {
      fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events/count?correlation_id=x")).GET(), reader);
    }
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"access:token:" + name + "\"}").json();
    assertThat(verified.get("verified").asBoolean()).isTrue();
    assertThat(verified.get("events_checked").asLong()).isEqualTo(3);
  }

  @Test
  void aRefusedRequestReadNothingAndRecordsNothing() {
    String name = "writer-" + UUID.randomUUID().toString().substring(0, 6);
    String writer = token(name, Role.WRITER);
    var refused = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?correlation_id=x")).GET(),
        writer);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(eventsOf("access:token:" + name)).isEmpty();
  }

  @Test
  void issuingAndRevokingATokenAreRecordedWithWhatButNeverTheToken() {
    String name = "ci-bot-" + UUID.randomUUID().toString().substring(0, 6);
    var created = fx.postJson("/api/v1/admin/tokens", "{\"name\":\"" + name + "\",\"roles\":[\"writer\"]}");
    assertThat(created.status()).isEqualTo(201);
    String secret = created.json().get("token").asText();
    String id = created.json().get("token_id").asText();
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/tokens/" + id)).DELETE()).status())
        .isEqualTo(200);

    List<JsonNode> records = new ArrayList<>();
    fx.get("/api/v1/audit/events?event_category=auditflow&limit=1000").json().get("data").forEach(records::add);
    assertThat(records).allSatisfy(r -> assertThat(r.toString()).doesNotContain(secret));
    assertThat(records).filteredOn(r -> r.at("/event_data/details/token_id").asText().equals(id))
        .extracting(r -> r.get("event_type").asText())
        .containsExactlyInAnyOrder("auditflow.access.tokens.create", "auditflow.access.tokens.revoke");
    assertThat(records).filteredOn(r -> r.at("/event_data/details/token_id").asText().equals(id))
        .allSatisfy(r -> {
          assertThat(r.at("/event_data/details/name").asText()).isEqualTo(name);
          assertThat(r.at("/event_data/details/roles/0").asText()).isEqualTo("writer");
          assertThat(r.get("actor_id").asText()).isEqualTo("token:admin");
        });
  }

  /**
   * An unrecorded read must not happen: when the access record cannot be written, the caller gets a
   * 503 and none of the data — for a page, for one event, and for an export that streams.
   * (Hardening finding 17: no test made the record fail.)
   */
  @Test
  void whenTheAccessRecordCannotBeWrittenTheAnswerIsWithheld() throws Exception {
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("withheld").toString()).status()).isEqualTo(201);
    String id = eventsOf("withheld").get(0).get("event_id").asText();
    dev.auditflow.server.testing.Superuser.execute(fx.jdbcUrl(), """
        CREATE FUNCTION refuse_access_records() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'access records refused by the test'; END $$""",
        "CREATE TRIGGER refuse_access_records BEFORE INSERT ON audit_events FOR EACH ROW"
            + " WHEN (NEW.correlation_id LIKE 'access:%') EXECUTE FUNCTION refuse_access_records()");
    try {
      for (String path : java.util.List.of("/api/v1/audit/events?correlation_id=withheld", "/api/v1/audit/events/" + id,
          "/api/v1/audit/export?format=ndjson&correlation_id=withheld", "/api/v1/audit/export?correlation_id=withheld")) {
        var r = fx.get(path);
        assertThat(r.status()).as(path).isEqualTo(503);
        assertThat(r.header("Retry-After")).as(path).isNotNull();
        assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        assertThat(r.body()).as(path).contains("could not be recorded").doesNotContain(id);
      }
    } finally {
      dev.auditflow.server.testing.Superuser.execute(fx.jdbcUrl(), "DROP TRIGGER refuse_access_records ON audit_events",
          "DROP FUNCTION refuse_access_records()");
    }
    assertThat(fx.get("/api/v1/audit/events/" + id).status()).as("recorded again, answered again").isEqualTo(200);
  }
}
