package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.testing.EarlierStores;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V9 (every event_id once, for ever) on a store as version 8 left it — including what
 * version 8 let happen: an id stored a second time on another day, and an event purged while its
 * leaf stays in the log.
 */
class EventIdMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v9AppliesToAStoreWrittenBeforeIt() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ObjectNode e = EventJson.valid("before-v9", Instant.now().minusSeconds(60 - i));
      events.add(e);
      assertThat(fx.postJson("/api/v1/audit/events", e.toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    String original = events.get(0).get("event_id").asText();
    String purged = events.get(3).get("event_id").asText();
    Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));

    // The store as V8 left it, with the second event under a taken id that V8 accepted, and the
    // last event gone from audit_events as a purge leaves it (its leaf stays).
    EarlierStores.beforeV18(fx.jdbcUrl());
    Superuser.execute(fx.jdbcUrl(), "DROP TABLE audit_event_ids", "DROP INDEX log_leaves_event_idx",
        "CREATE INDEX log_leaves_event_idx ON log_leaves (event_id)",
        "DELETE FROM flyway_schema_history WHERE version = '9'",
        "SELECT auditflow_ensure_month_partition(('" + twoDaysAgo + "'::timestamptz AT TIME ZONE 'UTC')::date)");
    Superuser.tamper(fx.jdbcUrl(), """
        INSERT INTO audit_events (event_id, event_date, event_timestamp, received_at, version, event_type, event_category,
            event_action, event_outcome, correlation_id, severity, event_data, retention_days)
        SELECT event_id, ('%1$s'::timestamptz AT TIME ZONE 'UTC')::date, '%1$s', received_at + interval '1 second', version,
            event_type, event_category, 'forged', event_outcome, 'elsewhere', severity, '{"n": 666}', retention_days
        FROM audit_events WHERE event_id = '%2$s'
        """.formatted(twoDaysAgo, original),
        "DELETE FROM audit_events WHERE event_id = '" + purged + "'");

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();

    assertThat(result.migrationsExecuted).as("V9, and V18 to V20 after it").isEqualTo(4);
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_event_ids WHERE event_id IN ('" + original
        + "', '" + purged + "')")).isEqualTo(2);
    // By id: the event received first, not the one stored later under its id.
    JsonNode byId = fx.get("/api/v1/audit/events/" + original).json();
    assertThat(byId.get("event_action").asText()).isEqualTo("store");
    assertThat(byId.get("log_index").isNumber()).isTrue();
    // Neither id can be stored again: the taken one on another day is a conflict, the purged one
    // a duplicate of the event it was.
    ObjectNode third = events.get(0).deepCopy();
    third.put("event_timestamp", Timestamps.format(Instant.now().minus(Duration.ofDays(1))));
    assertThat(fx.postJson("/api/v1/audit/events", third.toString()).status()).isEqualTo(409);
    var again = fx.postJson("/api/v1/audit/events", events.get(3).toString());
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();
    assertThat(fx.get("/api/v1/audit/events/count?correlation_id=before-v9").json().get("count").asLong()).isEqualTo(3);
    // Pages find each event's leaf through the new index (its log_leaves row: V18 links no old event).
    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=before-v9&order=asc").json().get("data");
    for (int i = 0; i < 3; i++) {
      assertThat(page.get(i).get("event_id").asText()).isEqualTo(events.get(i).get("event_id").asText());
      assertThat(page.get(i).get("log_index").isNumber()).as(page.get(i).toString()).isTrue();
    }
  }
}
