package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V13 (producer sequences, docs/COMPLETENESS.md) on a store as version 12 left it:
 * its events read back unchanged, its chains and the log still verify, and a numbered event
 * appended to an old chain verifies with them.
 */
class ProducerMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v13LeavesEveryStoredEventAsItWasAndNumberedEventsChainOnto() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v13").toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    String checkpointBefore = fx.get("/api/v1/log/checkpoint").body();

    // The store as V12 left it.
    Superuser.execute(fx.jdbcUrl(), "DROP TABLE producer_ranges", "DROP TABLE producer_epochs",
        "ALTER TABLE audit_events DROP COLUMN producer_id, DROP COLUMN producer_epoch, DROP COLUMN producer_seq",
        "DELETE FROM flyway_schema_history WHERE version = '13'");

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(1);

    JsonNode events = fx.get("/api/v1/audit/events?correlation_id=before-v13").json().get("data");
    assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e.has("producer_id")).isFalse());
    ObjectNode numbered = EventJson.valid("before-v13");
    numbered.put("producer_id", "p@h").put("producer_epoch", UuidV7.generate().toString()).put("producer_seq", 1);
    assertThat(fx.postJson("/api/v1/audit/events", numbered.toString()).status()).isEqualTo(201);

    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"before-v13\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("events_checked").asLong()).isEqualTo(4);
    LogRounds.integrateAll(fx.server());
    long before = Long.parseLong(checkpointBefore.split("\n")[1]);
    long after = Long.parseLong(fx.get("/api/v1/log/checkpoint").body().split("\n")[1]);
    assertThat(after).isGreaterThan(before);
    var consistency = fx.get("/api/v1/log/proof/consistency?first=" + before + "&second=" + after);
    assertThat(consistency.status()).as("the tree before the migration grows on: " + consistency.body()).isEqualTo(200);
  }
}
