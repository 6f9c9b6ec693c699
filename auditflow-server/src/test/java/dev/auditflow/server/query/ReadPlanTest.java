package dev.auditflow.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ProducerRange;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads right after a bulk load, before PostgreSQL has statistics on the new rows — as a console
 * user or a Kubernaut reader meets the store after a busy hour. Autovacuum is switched off for the
 * tables involved so that no ANALYZE can arrive during the test and hide a plan that needs one.
 *
 * <p>Before V9 the per-row {@code min(leaf_index)} lookup walked {@code log_leaves}' primary key
 * for every row of the page here: a page of 1 000 took 1.1–2.2 s after 20 000 events.
 */
class ReadPlanTest {
  private static final int EVENTS = 20_000;
  /** The producer epoch that numbered the bulk load (docs/COMPLETENESS.md). */
  private static final UUID EPOCH = UuidV7.generate();

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @BeforeAll
  static void loadWithoutStatistics() throws Exception {
    Superuser.execute(fx.jdbcUrl(),
        "ALTER TABLE log_leaves SET (autovacuum_enabled = false)",
        "ALTER TABLE audit_event_ids SET (autovacuum_enabled = false)");
    String partition = Superuser.text(fx.jdbcUrl(), "SELECT 'audit_events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')");
    Superuser.execute(fx.jdbcUrl(), "ALTER TABLE " + partition + " SET (autovacuum_enabled = false)");
    Instant start = Instant.now().minusSeconds(600);
    for (int batch = 0; batch < EVENTS / 5_000; batch++) {
      ArrayNode events = EventJson.array();
      for (int i = 0; i < 5_000; i++) {
        int n = batch * 5_000 + i;
        events.add(EventJson.valid(n % 2 == 0 ? "bulk-even" : "bulk-odd", start.plusMillis(n * 10L))
            .put("producer_id", "bulk@host").put("producer_epoch", EPOCH.toString()).put("producer_seq", n + 1));
      }
      assertThat(fx.postJson("/api/v1/audit/events/batch", events.toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    assertThat(Superuser.number(fx.jdbcUrl(),
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'log_leaves' AND last_analyze IS NULL"
            + " AND last_autoanalyze IS NULL")).as("log_leaves has never been analysed").isEqualTo(1);
  }

  @Test
  void aPageOfOneThousandFindsItsLeavesThroughTheEventIndex() {
    String plan = String.join("\n", fx.server().trail().explain(new EventFilter(Map.of("correlation_id", "bulk-even"), null, null),
        new Page(1_000, false, null)));
    assertThat(plan).contains("log_leaves_event_idx").doesNotContain("log_leaves_pkey");

    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=bulk-even&limit=1000&order=asc").json();
    assertThat(page.get("data")).hasSize(1_000);
    page.get("data").forEach(e -> assertThat(e.has("log_index")).as(e.toString()).isTrue());
    // Measured 40-90 ms on the 2-core CI machine with a busy core (the old plan: 1 100-2 200 ms, every time).
    assertThat(fastestOfThree("/api/v1/audit/events?correlation_id=bulk-even&limit=1000&order=asc"))
        .as("a page of 1 000 right after the load").isLessThan(400);
  }

  @Test
  void theEventsAroundAGapAreFoundByNumberThroughTheProducerIndex() {
    EventFilter around = new EventFilter(Map.of(), null, null, null, null, new ProducerRange(EPOCH, 9_995, 10_005));
    String plan = String.join("\n", fx.server().trail().explain(around, new Page(100, false, null)));
    assertThat(plan).as(plan).contains("producer_epoch_producer_seq_idx");

    JsonNode page = fx.get("/api/v1/audit/events?producer_epoch=" + EPOCH
        + "&producer_seq_from=9995&producer_seq_to=10005&order=asc").json();
    assertThat(page.get("data")).extracting(e -> e.get("producer_seq").asLong())
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(9_995, 10_005).boxed().toList());
  }

  @Test
  void aDeepOffsetDoesNotLookUpTheLeavesOfTheRowsItSkips() {
    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=9900").json();
    assertThat(page.get("data")).hasSize(50);
    assertThat(page.get("data").get(0).has("log_index")).isTrue();
    assertThat(fastestOfThree("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=9900"))
        .as("offset 9 900 right after the load").isLessThan(400);
  }

  /**
   * The fastest of three reads, in milliseconds: a wrong plan costs every read alike, while one
   * read on a loaded machine may lose its core for a moment — the bound is for the plan.
   */
  private static long fastestOfThree(String path) {
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long started = System.nanoTime();
      assertThat(fx.get(path).status()).isEqualTo(200);
      fastest = Math.min(fastest, (System.nanoTime() - started) / 1_000_000);
    }
    return fastest;
  }

  @Test
  void oneEventByIdIsOneLookupOfItsPartition() {
    JsonNode any = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=1").json().get("data").get(0);
    JsonNode byId = fx.get("/api/v1/audit/events/" + any.get("event_id").asText()).json();
    assertThat(byId.get("event_id")).isEqualTo(any.get("event_id"));
    assertThat(byId.get("log_index")).isEqualTo(any.get("log_index"));
  }
}
