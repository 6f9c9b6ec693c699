package dev.auditflow.server.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.db.Transactions;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.verify.ChainHasher;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The write path's COPY: every character arrives intact, and a conflicting id writes nothing. */
class EventWriterTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  /** Every character COPY's text format gives a meaning, plus what it does not escape. */
  private static final String HOSTILE = "tab\there, newline\nthere, return\rand back\\slash, \\N, \\t literally,"
      + " \"quotes\", ü, 中文, 😀";

  @Test
  void everyCharacterArrivesIntact() {
    ObjectNode event = EventJson.valid("copy-characters");
    event.put("event_action", "a\tb\nc\rd\\e \\N");
    for (String field : List.of("actor_id", "resource_type", "resource_id", "resource_name",
        "namespace", "error_message")) {
      event.put(field, field + ": " + HOSTILE);
    }
    event.putObject("event_data").put("text", HOSTILE).put("empty", "").putNull("nothing")
        .putObject("nested").put("a\tkey\\", HOSTILE);

    var created = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    JsonNode stored = fx.get("/api/v1/audit/events/" + event.get("event_id").asText()).json();
    event.fieldNames().forEachRemaining(field -> {
      if (!field.equals("event_timestamp")) {
        assertThat(stored.get(field)).as(field).isEqualTo(event.get(field));
      }
    });
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"copy-characters\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
  }

  @Test
  void anIdTakenMeanwhileUnderAnotherCorrelationIsADuplicateOnASecondLook() throws Exception {
    EventWriter writer = new EventWriter(fx.server().database(), new PartitionManager(),
        new ChainLinker(ChainHasher.sha256()), Retention.fixed(30), new LogQueue(true), ParentLookup.NOWHERE,
        Clock.systemUTC());
    UUID shared = UuidV7.generate();
    AuditEvent first = event(shared, "conflict-a");
    AuditEvent other = event(UuidV7.generate(), "conflict-b");
    AuditEvent sameId = event(shared, "conflict-b");

    try (Connection holder = fx.server().database().connection()) {
      writer.ensurePartitionsFor(holder, List.of(first.eventTimestamp()));
      holder.setAutoCommit(false);
      writer.write(holder, List.of(first), "test", 0);
      // The second request holds conflict-b's lock, not conflict-a's: it finds the id free and
      // its claim of it waits on the first transaction's uncommitted key.
      CompletableFuture<java.util.Set<UUID>> second = CompletableFuture.supplyAsync(() -> writer.insert(List.of(other, sameId), "test", 0));
      await().atMost(Duration.ofSeconds(30)).until(() -> Superuser.number(fx.jdbcUrl(),
          "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'") == 1);
      Transactions.commit(holder, "the first request");

      // Its claim fails and rolls back whole; the second look finds the id taken on the same day:
      // a duplicate, not stored again, and the rest of the request is stored.
      assertThat(second.join()).containsExactly(other.eventId());
    }
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_events WHERE event_id = '" + shared + "'"))
        .as("the id names one event").isEqualTo(1);
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_events WHERE correlation_id = 'conflict-b'"))
        .isEqualTo(1);
    assertThat(Superuser.number(fx.jdbcUrl(),
        "SELECT last_position FROM audit_chain_heads WHERE correlation_id = 'conflict-b'")).as("no gap in its chain").isEqualTo(1);
  }

  private static AuditEvent event(UUID id, String correlationId) {
    return AuditEvent.builder().eventId(id).eventTimestamp(java.time.Instant.now()).eventType("test.conflict").eventCategory("test").eventAction("write")
        .eventOutcome(EventOutcome.SUCCESS).correlationId(correlationId).eventData(Map.of("n", 1)).build();
  }
}
