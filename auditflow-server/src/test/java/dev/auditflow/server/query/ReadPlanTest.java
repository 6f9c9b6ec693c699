package dev.auditflow.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ProducerRange;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every read the server serves, right after a bulk load of 200 000 events, before PostgreSQL has
 * statistics on the new rows — as a console user or a Kubernaut reader meets the store after a busy
 * hour. Autovacuum is switched off for the tables involved so that no ANALYZE can arrive during the
 * test and hide a plan that needs one.
 *
 * <p>Each bound is the fastest of three reads, several times what the read measured on the 2-core
 * CI machine with a busy core, and far below what a plan that does O(n) work per row — or per
 * skipped row — takes: before V9 a page of 1 000 took 1.1–2.2 s after only 20 000 events; before
 * the index-order reads a page 90 000 deep into one correlation sorted all 100 000 of its events.
 */
class ReadPlanTest {
  private static final int EVENTS = 200_000;
  private static final int BATCH = 5_000;
  /** The producer epoch that numbered the bulk load (docs/COMPLETENESS.md). */
  private static final UUID EPOCH = UuidV7.generate();
  private static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3_600);

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @BeforeAll
  static void loadWithoutStatistics() throws Exception {
    String partition = Superuser.text(fx.jdbcUrl(), "SELECT 'audit_events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')");
    Superuser.execute(fx.jdbcUrl(),
        "ALTER TABLE log_batches SET (autovacuum_enabled = false)",
        "ALTER TABLE audit_event_ids SET (autovacuum_enabled = false)",
        "ALTER TABLE " + partition + " SET (autovacuum_enabled = false)");
    for (int batch = 0; batch < EVENTS / BATCH; batch++) {
      ArrayNode events = EventJson.array();
      for (int i = 0; i < BATCH; i++) {
        int n = batch * BATCH + i;
        var event = EventJson.valid(n % 2 == 0 ? "bulk-even" : "bulk-odd", START.plusMillis(n * 10L))
            .put("producer_id", "bulk@host").put("producer_epoch", EPOCH.toString()).put("producer_seq", n + 1)
            .put("actor_id", "actor-" + n % 20).put("severity", n % 1_000 == 0 ? "critical" : "info")
            .put("resource_type", "Pod").put("resource_id", "pod-" + n % 5_000);
        event.withObject("event_data").put("n", n);
        events.add(event);
      }
      assertThat(fx.postJson("/api/v1/audit/events/batch", events.toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('audit_event_ids', '"
        + partition + "') AND last_analyze IS NULL AND last_autoanalyze IS NULL"))
        .as("neither the events' partition nor their id rows have been analysed").isEqualTo(2);
  }

  @Test
  void aPageOfOneThousandFindsItsLeavesThroughItsIdRowsAndBatches() {
    String plan = String.join("\n", fx.server().trail().explain(new EventFilter(Map.of("correlation_id", "bulk-even"), null, null),
        new Page(1_000, false, null)));
    assertThat(plan).as(plan).contains("audit_event_ids_pkey").contains("log_batches_pkey")
        .doesNotContain("Seq Scan on log_batches").doesNotContain("Seq Scan on audit_event_ids");

    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=bulk-even&limit=1000&order=asc").json();
    assertThat(page.get("data")).hasSize(1_000);
    page.get("data").forEach(e -> assertThat(e.has("log_index")).as(e.toString()).isTrue());
    assertThat(page.get("pagination").get("total").asLong()).isEqualTo(EVENTS / 2);
    assertFast("/api/v1/audit/events?correlation_id=bulk-even&limit=1000&order=asc", 1_000);
  }

  @Test
  void theNewestPageOfEverythingCountsWithoutAPlanPerRow() {
    JsonNode page = fx.get("/api/v1/audit/events?limit=100").json();
    assertThat(page.get("data")).hasSize(100);
    assertThat(page.get("pagination").get("total").asLong()).isGreaterThanOrEqualTo(EVENTS);
    assertFast("/api/v1/audit/events?limit=100", 600);
    assertFast("/api/v1/audit/events/count", 600);
  }

  @Test
  void aDeepOffsetSkipsIndexEntriesNotRows() {
    String plan = String.join("\n", fx.server().trail().explain(new EventFilter(Map.of("correlation_id", "bulk-odd"), null, null),
        new Page(50, true, null, 90_000)));
    assertThat(plan).as(plan).contains("Index Only Scan").doesNotContain("Sort Method").doesNotContain("Bitmap");

    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=90000").json();
    assertThat(page.get("data")).hasSize(50);
    // Newest first: the 90 001st newest odd event is number 2 * (100 000 - 90 001) + 1.
    assertThat(page.get("data").get(0).get("event_data").get("n").asLong()).isEqualTo(2L * (EVENTS / 2 - 90_001) + 1);
    assertThat(page.get("data").get(0).has("log_index")).isTrue();
    JsonNode ascending = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=90000&order=asc").json();
    assertThat(ascending.get("data").get(0).get("event_data").get("n").asLong()).isEqualTo(2L * 90_000 + 1);
    JsonNode pastTheEnd = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=100000").json();
    assertThat(pastTheEnd.get("data")).isEmpty();
    assertThat(pastTheEnd.get("pagination").get("has_more").asBoolean()).isFalse();

    assertFast("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=90000", 1_000);
    assertFast("/api/v1/audit/events?correlation_id=bulk-odd&limit=50&offset=90000&order=asc", 1_000);
  }

  @Test
  void everyIndexedFilterReadsItsPageInIndexOrder() {
    for (String filter : new String[] {"event_type=test.event.stored", "actor_id=actor-7", "severity=critical",
        "resource_type=Pod&resource_id=pod-42", "event_category=test", "event_outcome=success",
        "since=" + encode(START.plusSeconds(600)) + "&until=" + encode(START.plusSeconds(660))}) {
      JsonNode page = fx.get("/api/v1/audit/events?limit=100&" + filter).json();
      assertThat(page.get("data")).as(filter).isNotEmpty();
      assertFast("/api/v1/audit/events?limit=100&" + filter, 1_000);
    }
    assertFast("/api/v1/audit/events?correlation_id=bulk-odd&detail_key=n&detail_value=99999&limit=10", 2_000);
    assertFast("/api/v1/audit/events/histogram?buckets=24", 2_500);
  }

  @Test
  void theEventsAroundAGapAreFoundByNumberThroughTheProducerIndex() {
    EventFilter around = new EventFilter(Map.of(), null, null, null, null, new ProducerRange(EPOCH, 99_995, 100_005));
    String plan = String.join("\n", fx.server().trail().explain(around, new Page(100, false, null)));
    assertThat(plan).as(plan).contains("producer_epoch_producer_seq_idx");

    JsonNode page = fx.get("/api/v1/audit/events?producer_epoch=" + EPOCH
        + "&producer_seq_from=99995&producer_seq_to=100005&order=asc").json();
    assertThat(page.get("data")).extracting(e -> e.get("producer_seq").asLong())
        .containsExactlyElementsOf(LongStream.rangeClosed(99_995, 100_005).boxed().toList());
    assertFast("/api/v1/producers", 1_000);
  }

  @Test
  void oneEventByIdIsOneLookupOfItsPartition() {
    JsonNode any = fx.get("/api/v1/audit/events?correlation_id=bulk-odd&limit=1").json().get("data").get(0);
    String id = any.get("event_id").asText();
    JsonNode byId = fx.get("/api/v1/audit/events/" + id).json();
    assertThat(byId.get("event_id")).isEqualTo(any.get("event_id"));
    assertThat(byId.get("log_index")).isEqualTo(any.get("log_index"));
    assertFast("/api/v1/audit/events/" + id, 300);
  }

  @Test
  void theLogsReadsAndProofsDoNotWalkTheLog() {
    // A C2SP checkpoint: origin, tree size, root hash, then signatures.
    long size = Long.parseLong(fx.get("/api/v1/log/checkpoint").body().split("\n")[1]);
    assertThat(size).isGreaterThanOrEqualTo(EVENTS);
    String id = fx.get("/api/v1/audit/events?correlation_id=bulk-even&limit=1&offset=50000").json()
        .get("data").get(0).get("event_id").asText();
    assertFast("/api/v1/log/checkpoint", 300);
    assertFast("/api/v1/log/proof/inclusion?event_id=" + id + "&tree_size=" + size, 400);
    assertFast("/api/v1/log/proof/consistency?first=" + size / 3 + "&second=" + size, 400);
    assertFast("/api/v1/log/entries?start=" + size / 2 + "&limit=1000", 800);
  }

  @Test
  void exportVerificationPurgeAndTheConsoleStayLinear() {
    String window = "start_time=" + encode(START.plusSeconds(1_000)) + "&end_time=" + encode(START.plusSeconds(1_060));
    var export = fx.get("/api/v1/audit/export?" + window + "&limit=6000");
    assertThat(export.status()).as(export.body()).isEqualTo(200);
    // A signed export verifies every chain it touches whole — here both, 200 000 events hashed
    // (2.6-3.0 s on an idle 2-core machine, over 10 s on the same machine under CI's load) — so its
    // cost is the chains' verification, and its bound is that same work measured just before, in
    // this run: load slows both alike (the export measured 1.13-1.16 times the two verifications
    // on the idle machine), while per-row work beyond verifying (a plan that revisits rows, a
    // window re-read per event) shows as a multiple of it. Read once: three would cost the suite 15 s.
    long chains = verifyMillis("bulk-even") + verifyMillis("bulk-odd");
    assertFast("/api/v1/audit/export?" + window + "&limit=6000", 3 * chains + 1_000, 1);
    chains = verifyMillis("bulk-even") + verifyMillis("bulk-odd");
    assertFast("/api/v1/audit/export?format=ndjson&" + window, 3 * chains + 1_000, 1);
    assertFast("/api/v1/console/health", 500);
    assertFast("/api/v1/audit/legal-hold", 300);

    // 100 000 events hashed one by one: linear, and measured 1-3 s here.
    assertThat(verifyMillis("bulk-odd")).as("verifying a chain of 100 000").isLessThan(15_000);

    long started = System.nanoTime();
    assertThat(fx.postJson("/api/v1/admin/purge", "{\"dry_run\":true}").status()).isEqualTo(200);
    assertThat((System.nanoTime() - started) / 1_000_000).as("a purge's dry run").isLessThan(2_000);
  }

  /**
   * A read the statement timeout stops is a read too expensive, not a database outage: 422 {@code
   * query-too-expensive} without {@code Retry-After}, counted in {@code /metrics}. A second server
   * on the same store, with a 50 ms statement timeout and no authentication (so that the read is its
   * only statement), counts all 200 000 events through a detail filter — JSON taken apart row by
   * row, 280 ms on the machine this was written on — and exports a range through a category no
   * index holds.
   */
  @Test
  void aReadStoppedByTheStatementTimeoutIsTooExpensiveNotUnavailable() {
    try (ServerFixture strict = ServerFixture.onDatabase(fx.jdbcUrl(),
        b -> b.statementTimeout(Duration.ofMillis(50)).auth(AuthSettings.disabled()))) {
      var read = strict.get("/api/v1/audit/events/count?since=" + encode(START) + "&detail_key=n&detail_value=nothing");
      assertThat(read.status()).as(read.body()).isEqualTo(422);
      assertThat(read.json().get("type").asText()).isEqualTo("https://auditflow.dev/problems/query-too-expensive");
      assertThat(read.json().get("detail").asText()).contains("50 ms statement timeout", "counting events", "narrow it")
          .doesNotContain("unavailable");
      assertThat(read.header("Retry-After")).isNull();

      var export = strict.get("/api/v1/audit/export?start_time=" + encode(START) + "&event_category=none&limit=10000");
      assertThat(export.status()).as(export.body()).isEqualTo(422);
      assertThat(export.json().get("detail").asText()).contains("exporting events");

      assertThat(strict.get("/metrics").body()).contains("auditflow_reads_too_expensive_total 2.0");
    }
  }

  /**
   * Asserts the fastest of three reads (or {@code reads}) within {@code boundMillis}: a wrong plan costs every read
   * alike, while one read on a loaded machine may lose its core for a moment — the bound is for the plan.
   */
  private static void assertFast(String path, long boundMillis) {
    assertFast(path, boundMillis, 3);
  }

  private static void assertFast(String path, long boundMillis, int reads) {
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < reads; i++) {
      long started = System.nanoTime();
      var response = fx.get(path);
      assertThat(response.status()).as(path + ": " + response.body()).isEqualTo(200);
      fastest = Math.min(fastest, (System.nanoTime() - started) / 1_000_000);
    }
    System.out.printf("read-plan %5d ms (bound %5d) %s%n", fastest, boundMillis, path);
    assertThat(fastest).as(path + " right after the load").isLessThan(boundMillis);
  }

  /** Verifies one whole chain through the API (asserting it verifies) and returns how long that took. */
  private static long verifyMillis(String correlationId) {
    long started = System.nanoTime();
    JsonNode verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlationId + "\"}").json();
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    System.out.printf("read-plan %5d ms verifying %s%n", millis, correlationId);
    return millis;
  }

  private static String encode(Instant instant) {
    return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
  }
}
