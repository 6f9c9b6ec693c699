package dev.auditflow.server.hold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Kubernaut's legal-hold API, and that holds are themselves on the record. */
class LegalHoldTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static void store(String correlationId, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid(correlationId).toString()).status()).isEqualTo(201);
    }
  }

  private static ServerFixture.Response place(String correlationId, String reason) {
    return fx.postJson("/api/v1/audit/legal-hold",
        "{\"correlation_id\":\"" + correlationId + "\",\"reason\":\"" + reason + "\"}");
  }

  private static ServerFixture.Response release(String correlationId, String body) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold/" + correlationId))
        .header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void aHoldIsPlacedListedAndReleasedInKubernautsShapes() {
    store("case-1", 3);

    var placed = place("case-1", "SEC investigation #7");
    assertThat(placed.status()).isEqualTo(200);
    assertThat(placed.json().get("correlation_id").asText()).isEqualTo("case-1");
    assertThat(placed.json().get("events_affected").asLong()).isEqualTo(3);
    assertThat(placed.json().get("placed_by").asText()).isEqualTo("token:admin");
    assertThat(placed.json().get("reason").asText()).isEqualTo("SEC investigation #7");
    assertThat(placed.json().has("placed_at")).isTrue();

    store("case-1", 1);
    JsonNode list = fx.get("/api/v1/audit/legal-hold").json();
    assertThat(list.get("total").asInt()).isEqualTo(list.get("holds").size());
    assertThat(list.get("holds")).anySatisfy(h -> {
      assertThat(h.get("correlation_id").asText()).isEqualTo("case-1");
      assertThat(h.get("events_affected").asLong()).as("events arriving after the hold are held too").isEqualTo(4);
    });

    var released = release("case-1", "{\"release_reason\":\"case closed\"}");
    assertThat(released.status()).isEqualTo(200);
    assertThat(released.json().get("events_released").asLong()).isEqualTo(4);
    assertThat(released.json().get("released_by").asText()).isEqualTo("token:admin");
    assertThat(fx.get("/api/v1/audit/legal-hold").json().get("holds"))
        .noneSatisfy(h -> assertThat(h.get("correlation_id").asText()).isEqualTo("case-1"));
    assertThat(place("case-1", "reopened").status()).as("a released hold can be placed again").isEqualTo(200);
  }

  @Test
  void placingAndReleasingAreAuditEventsOfTheirOwnChain() {
    store("case-2", 1);
    place("case-2", "litigation");
    release("case-2", "{\"release_reason\":\"settled\"}");

    JsonNode history = fx.get("/api/v1/audit/events?correlation_id=legal-hold:case-2&order=asc").json().get("data");
    assertThat(history).hasSize(2);
    assertThat(history.get(0).get("event_type").asText()).isEqualTo(LegalHolds.EVENT_PLACED);
    assertThat(history.get(0).at("/event_data/reason").asText()).isEqualTo("litigation");
    assertThat(history.get(0).get("actor_id").asText()).isEqualTo("token:admin");
    assertThat(history.get(1).get("event_type").asText()).isEqualTo(LegalHolds.EVENT_RELEASED);
    assertThat(history.get(1).at("/event_data/release_reason").asText()).isEqualTo("settled");
    assertThat(fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"legal-hold:case-2\"}").json()
        .get("verified").asBoolean()).isTrue();
  }

  @Test
  void errorsAreKubernautsStatusesWithTheReason() {
    var unknown = place("no-such-correlation", "x");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("detail").asText()).contains("no-such-correlation");

    store("case-3", 1);
    assertThat(place("case-3", "first").status()).isEqualTo(200);
    var twice = place("case-3", "second");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().get("detail").asText()).contains("already under a legal hold");

    var noReason = fx.postJson("/api/v1/audit/legal-hold", "{\"correlation_id\":\"case-3\"}");
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.json().at("/errors/0/field").asText()).isEqualTo("reason");
    assertThat(release("case-3", "{}").json().at("/errors/0/field").asText()).isEqualTo("release_reason");
    assertThat(release("never-held", "{\"release_reason\":\"x\"}").status()).isEqualTo(404);
  }

  @Test
  void anAuditorMayListHoldsButNotPlaceThem() {
    String auditor = fx.token(Role.AUDITOR);
    store("case-4", 1);
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold")), auditor).status())
        .isEqualTo(200);
    var refused = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"correlation_id\":\"case-4\",\"reason\":\"x\"}")), auditor);
    assertThat(refused.status()).isEqualTo(403);
  }
}
