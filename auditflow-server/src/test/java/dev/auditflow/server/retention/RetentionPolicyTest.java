package dev.auditflow.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.trail.Retention;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention decided when an event is stored: the event's own, else the most specific policy. */
class RetentionPolicyTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static ServerFixture.Response put(String body) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/retention-policies"))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static long storedRetention(String category, String type, Integer own) {
    var event = EventJson.valid("retention-" + category + "-" + type).put("event_category", category)
        .put("event_type", type);
    if (own != null) {
      event.put("retention_days", own);
    }
    var r = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return fx.get("/api/v1/audit/events/" + r.json().get("event_id").asText()).json().get("retention_days").asLong();
  }

  @Test
  void theMostSpecificPolicyDecidesForEventsThatDoNotSay() {
    assertThat(put("{\"event_category\":\"debug\",\"retention_days\":30}").status()).isEqualTo(200);
    assertThat(put("{\"event_category\":\"debug\",\"event_type\":\"debug.trace\",\"retention_days\":7}").status())
        .isEqualTo(200);
    assertThat(put("{\"event_type\":\"payment.captured\",\"retention_days\":3650}").status())
        .as("beyond 2555 days").isEqualTo(400);

    assertThat(storedRetention("gateway", "gateway.signal", null)).as("the default").isEqualTo(2555);
    assertThat(storedRetention("debug", "debug.dump", null)).as("by category").isEqualTo(30);
    assertThat(storedRetention("debug", "debug.trace", null)).as("by type and category").isEqualTo(7);
    assertThat(storedRetention("debug", "debug.trace", 90)).as("the event's own").isEqualTo(90);
  }

  @Test
  void aMinimumRaisesAnEventsOwnRetention() {
    assertThat(put("{\"event_category\":\"finance\",\"retention_days\":2555,\"minimum_days\":365}").status())
        .isEqualTo(200);
    assertThat(storedRetention("finance", "finance.booked", 1)).isEqualTo(365);
    assertThat(storedRetention("finance", "finance.booked", 400)).isEqualTo(400);
  }

  /**
   * Hardening finding 7: with no floor, retention_days 1 on a 6-day-old event had it purged an
   * hour after it was acknowledged. The default policy ships a floor of 30 days, which applies
   * where the deciding policy names none, until an administrator lowers it.
   */
  @Test
  void theDefaultPolicyShipsAFloorOfThirtyDays() {
    JsonNode defaults = fx.get("/api/v1/admin/retention-policies").json().get("data").get(0);
    assertThat(defaults.get("event_category").isNull()).isTrue();
    assertThat(defaults.get("minimum_days").asInt()).isEqualTo(30);
    assertThat(storedRetention("floor", "floor.event", 1)).isEqualTo(30);
    assertThat(storedRetention("floor", "floor.event", 45)).isEqualTo(45);
    assertThat(put("{\"event_category\":\"floorless\",\"retention_days\":10}").status()).isEqualTo(200);
    assertThat(storedRetention("floorless", "floorless.event", 2)).as("no floor of its own: the default's")
        .isEqualTo(30);
    assertThat(put("{\"event_category\":\"floorless\",\"retention_days\":10,\"minimum_days\":2}").status())
        .isEqualTo(200);
    assertThat(storedRetention("floorless", "floorless.event", 2)).as("lowered on purpose").isEqualTo(2);
  }

  @Test
  void policiesAreListedChangedAndRemovedButTheDefaultStays() {
    var set = put("{\"event_category\":\"temp\",\"retention_days\":10}");
    var changed = put("{\"event_category\":\"temp\",\"retention_days\":20}");
    assertThat(changed.json().get("policy_id").asText()).as("same scope, same policy")
        .isEqualTo(set.json().get("policy_id").asText());
    assertThat(changed.json().get("updated_by").asText()).isEqualTo("token:admin");

    JsonNode list = fx.get("/api/v1/admin/retention-policies").json().get("data");
    assertThat(list).anySatisfy(p -> {
      assertThat(p.get("event_category").isNull()).isTrue();
      assertThat(p.get("event_type").isNull()).isTrue();
      assertThat(p.get("retention_days").asInt()).isEqualTo(2555);
    });
    String id = changed.json().get("policy_id").asText();
    var removed = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/retention-policies/" + id)).DELETE());
    assertThat(removed.status()).isEqualTo(200);
    assertThat(storedRetention("temp", "temp.x", null)).isEqualTo(2555);
    var defaultStays = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve(
        "/api/v1/admin/retention-policies/" + RetentionPolicies.DEFAULT_POLICY)).DELETE());
    assertThat(defaultStays.status()).isEqualTo(400);
    var missing = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve(
        "/api/v1/admin/retention-policies/01890a5d-ac96-774b-bcce-b302099a8057")).DELETE());
    assertThat(missing.status()).isEqualTo(404);
    var bad = put("{\"event_category\":\"x\",\"retention_days\":10,\"minimum_days\":20}");
    assertThat(bad.json().at("/errors/0/field").asText()).isEqualTo("minimum_days");
  }
}
