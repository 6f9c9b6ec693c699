package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.MigratedStore;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Trace context on events (docs/OTLP.md): {@code trace_id}/{@code span_id} stored, returned,
 * filterable and covered by the chain; bad ids refused naming the field; and migration V17 on a
 * store as version 16 left it.
 */
class TraceContextTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void anEventsTraceIsStoredReturnedFilterableAndChained() throws Exception {
    ObjectNode traced = EventJson.valid("traced-order");
    traced.put("trace_id", TRACE).put("span_id", SPAN);
    assertThat(fx.postJson("/api/v1/audit/events", traced.toString()).status()).isEqualTo(201);
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("traced-order").toString()).status()).isEqualTo(201);

    JsonNode byTrace = fx.get("/api/v1/audit/events?trace_id=" + TRACE).json();
    assertThat(byTrace.get("data")).hasSize(1);
    JsonNode event = byTrace.get("data").get(0);
    assertThat(event.get("event_id").asText()).isEqualTo(traced.get("event_id").asText());
    assertThat(event.get("trace_id").asText()).isEqualTo(TRACE);
    assertThat(event.get("span_id").asText()).isEqualTo(SPAN);
    JsonNode untraced = fx.get("/api/v1/audit/events?correlation_id=traced-order").json().get("data");
    assertThat(untraced).hasSize(2).filteredOn(e -> !e.has("trace_id")).hasSize(1);

    // The chain covers the ids: changing one in the store is found.
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"traced-order\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    Superuser.tamper(fx.jdbcUrl(), "UPDATE audit_events SET span_id = '00f067aa0ba902b8' WHERE span_id = '" + SPAN + "'");
    JsonNode tampered = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"traced-order\"}").json();
    assertThat(tampered.get("verified").asBoolean()).as(tampered.toString()).isFalse();
  }

  @Test
  void badTraceIdsAreRefusedNamingTheField() {
    ObjectNode bad = EventJson.valid("bad-trace");
    bad.put("trace_id", TRACE.toUpperCase());
    var refused = fx.postJson("/api/v1/audit/events", bad.toString());
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body()).contains("trace_id").contains("32 lowercase hex digits");
    ObjectNode orphan = EventJson.valid("bad-trace");
    orphan.put("span_id", SPAN);
    assertThat(fx.postJson("/api/v1/audit/events", orphan.toString()).body()).contains("span_id")
        .contains("give trace_id too");
    var query = fx.get("/api/v1/audit/events?trace_id=not-a-trace");
    assertThat(query.status()).isEqualTo(400);
    assertThat(query.body()).contains("trace_id");
  }

  @Test
  void v17LeavesEveryStoredEventAsItWasAndTracedEventsChainOnto() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v17").toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    String checkpointBefore = fx.get("/api/v1/log/checkpoint").body();

    // The store as V16 left it.
    Superuser.execute(fx.jdbcUrl(), "ALTER TABLE audit_events DROP COLUMN trace_id, DROP COLUMN span_id",
        "DELETE FROM flyway_schema_history WHERE version = '17'");
    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(1);

    JsonNode events = fx.get("/api/v1/audit/events?correlation_id=before-v17").json().get("data");
    assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e.has("trace_id")).isFalse());
    ObjectNode traced = EventJson.valid("before-v17");
    traced.put("trace_id", TRACE.replace('4', '5')).put("span_id", SPAN);
    assertThat(fx.postJson("/api/v1/audit/events", traced.toString()).status()).isEqualTo(201);

    MigratedStore.chainVerifiesAndLogGrowsOn(fx, "before-v17", 4, checkpointBefore);
  }
}
