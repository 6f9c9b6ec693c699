package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.MigratedStore;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V13 (producer sequences, docs/COMPLETENESS.md) on a store as version 12 left it:
 * its events read back unchanged, its chains and the log still verify, and a numbered event
 * appended to an old chain verifies with them. Migrations V14 (issued marks) and V15 (the index
 * that finds a gap's neighbours) on a store as V13 left it: its producers' accounts read the same,
 * its numbered events are found by epoch, and marks are kept from then on.
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

    // The store as V12 left it (later migrations than V15 stay applied: Flyway applies the removed ones after them).
    Superuser.execute(fx.jdbcUrl(), "DROP TABLE producer_ranges", "DROP TABLE producer_epochs",
        "ALTER TABLE audit_events DROP COLUMN producer_id, DROP COLUMN producer_epoch, DROP COLUMN producer_seq",
        "DELETE FROM flyway_schema_history WHERE version IN ('13', '14', '15')");

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
    assertThat(result.migrationsExecuted).as("V13 to V15").isEqualTo(3);

    JsonNode events = fx.get("/api/v1/audit/events?correlation_id=before-v13").json().get("data");
    assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e.has("producer_id")).isFalse());
    ObjectNode numbered = EventJson.valid("before-v13");
    numbered.put("producer_id", "p@h").put("producer_epoch", UuidV7.generate().toString()).put("producer_seq", 1);
    assertThat(fx.postJson("/api/v1/audit/events", numbered.toString()).status()).isEqualTo(201);

    MigratedStore.chainVerifiesAndLogGrowsOn(fx, "before-v13", 4, checkpointBefore);
  }

  @Test
  void v14KeepsEveryEpochsAccountsAndKeepsIssuedMarksFromThen() throws Exception {
    UUID epoch = UuidV7.generate();
    ArrayNode batch = EventJson.array(numbered(epoch, 1), numbered(epoch, 3));
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    String path = "/api/v1/producers/v14@h/epochs/" + epoch;
    JsonNode before = fx.get(path).json();

    // The store as V13 left it (later migrations than V15 stay applied: Flyway applies the removed ones after them).
    Superuser.execute(fx.jdbcUrl(), "ALTER TABLE producer_epochs DROP COLUMN issued_seq",
        "DROP INDEX audit_events_producer_idx", "DELETE FROM flyway_schema_history WHERE version IN ('14', '15')");
    assertThat(Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate().migrationsExecuted)
        .as("V14 and V15").isEqualTo(2);

    assertThat(fx.get(path).json()).isEqualTo(before);
    assertThat(fx.get("/api/v1/audit/events?producer_epoch=" + epoch).json().get("data")).as("found by V15's index")
        .hasSize(2);
    assertThat(before.get("gaps")).hasSize(1);
    var marked = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events/batch"))
        .header("Content-Type", "application/json").header(Declaration.ISSUED_HEADER, "7")
        .POST(HttpRequest.BodyPublishers.ofString(EventJson.array(numbered(epoch, 4)).toString())));
    assertThat(marked.status()).as(marked.body()).isEqualTo(201);
    assertThat(fx.get(path).json().get("issued_seq").asLong()).isEqualTo(7);
  }

  private static ObjectNode numbered(UUID epoch, long seq) {
    ObjectNode event = EventJson.valid("before-v14");
    event.put("producer_id", "v14@h").put("producer_epoch", epoch.toString()).put("producer_seq", seq);
    return event;
  }
}
