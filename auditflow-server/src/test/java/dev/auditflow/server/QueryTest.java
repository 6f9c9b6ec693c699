package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Queries against a real PostgreSQL holding 2 500 paged events plus a few shaped ones. */
class QueryTest {
  private static final int PAGED = 2_500;
  private static final Set<String> pagedIds = new HashSet<>();
  private static final Instant BASE = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @BeforeAll
  static void load() {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < PAGED; i++) {
      // Groups of five share a timestamp, so paging must break ties by event_id.
      ObjectNode e = EventJson.valid("paged", BASE.plusMillis((i / 5) * 10L));
      pagedIds.add(e.get("event_id").asText());
      batch.add(e);
      if (batch.size() == 1_000 || i == PAGED - 1) {
        assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
        batch = AuditEventJson.mapper().createArrayNode();
      }
    }
    ObjectNode a = EventJson.valid("shaped", Instant.now().minus(3, ChronoUnit.MINUTES));
    a.put("event_type", "order.created").put("event_category", "orders").put("event_outcome", "failure")
        .put("actor_id", "alice").put("resource_type", "order").put("resource_id", "o-1").put("severity", "error");
    ObjectNode b = EventJson.valid("shaped", Instant.now().minus(30, ChronoUnit.MINUTES));
    b.put("event_type", "order.paid").put("event_category", "orders").put("actor_id", "bob")
        .put("resource_type", "order").put("resource_id", "o-2");
    ObjectNode c = EventJson.valid("shaped", Instant.now().minus(90, ChronoUnit.MINUTES));
    c.put("event_type", "order.created").put("event_outcome", "pending").put("actor_id", "alice").put("severity", "warning");
    assertThat(fx.postJson("/api/v1/audit/events/batch", EventJson.array(a, b, c).toString()).status()).isEqualTo(201);
  }

  private static JsonNode get(String query) {
    var r = fx.get("/api/v1/audit/events" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static long count(String query) {
    return fx.get("/api/v1/audit/events/count" + query).json().get("count").asLong();
  }

  @ParameterizedTest(name = "order={0}")
  @ValueSource(strings = {"desc", "asc"})
  void pagingVisitsEveryEventOnceInOrder(String order) {
    List<String> seen = new ArrayList<>();
    List<String> timestamps = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String q = "?correlation_id=paged&limit=333&order=" + order + (cursor == null ? "" : "&cursor=" + cursor);
      JsonNode page = get(q);
      page.get("data").forEach(e -> {
        seen.add(e.get("event_id").asText());
        timestamps.add(e.get("event_timestamp").asText() + " " + e.get("event_id").asText());
      });
      JsonNode p = page.get("pagination");
      assertThat(p.get("limit").asInt()).isEqualTo(333);
      cursor = p.get("has_more").asBoolean() ? p.get("next_cursor").asText() : null;
      if (cursor == null) {
        assertThat(p.get("next_cursor").isNull()).isTrue();
      }
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(8); // 7 × 333 + 169
    assertThat(seen).hasSize(PAGED).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(pagedIds);
    List<String> sorted = new ArrayList<>(timestamps);
    sorted.sort(order.equals("asc") ? null : java.util.Comparator.reverseOrder());
    assertThat(timestamps).containsExactlyElementsOf(sorted);
    assertThat(count("?correlation_id=paged")).isEqualTo(PAGED);
  }

  @Test
  void defaultPageIs100NewestFirstWithExplicitHasMore() {
    JsonNode page = get("?correlation_id=paged");
    assertThat(page.get("data")).hasSize(100);
    assertThat(page.get("pagination").get("has_more").asBoolean()).isTrue();
    assertThat(page.get("data").get(0).get("event_timestamp").asText())
        .isGreaterThan(page.get("data").get(99).get("event_timestamp").asText());
  }

  @Test
  void everyFilterNarrowsTheResult() {
    Map<String, Long> expected = Map.of(
        "event_type=order.created", 2L,
        "event_category=orders", 2L,
        "event_outcome=failure", 1L,
        "actor_id=alice", 2L,
        "resource_type=order", 2L,
        "resource_type=order&resource_id=o-2", 1L,
        "severity=warning", 1L,
        "since=45m", 2L,
        "since=45m&until=10m", 1L);
    expected.forEach((filter, n) -> {
      assertThat(get("?correlation_id=shaped&" + filter).get("data")).as(filter).hasSize(n.intValue());
      assertThat(count("?correlation_id=shaped&" + filter)).as(filter).isEqualTo(n);
    });
    String since = URLEncoder.encode(Instant.now().minus(60, ChronoUnit.MINUTES).toString(), StandardCharsets.UTF_8);
    assertThat(count("?correlation_id=shaped&since=" + since)).isEqualTo(2);
    String offsetUntil = URLEncoder.encode(Instant.now().minus(10, ChronoUnit.MINUTES).atOffset(java.time.ZoneOffset.ofHours(2)).toString(), StandardCharsets.UTF_8);
    assertThat(count("?correlation_id=shaped&until=" + offsetUntil)).isEqualTo(2);
  }

  @Test
  void badParametersAreAllReported() {
    var r = fx.get("/api/v1/audit/events?limit=0&order=sideways&since=yesterday&severity=" + "x".repeat(21)
        + "&event_outcome=ok&correlationId=x&cursor=zzz&offset=-1");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").findValuesAsText("field"))
        .containsExactlyInAnyOrder("limit", "order", "since", "event_outcome", "correlationId", "cursor", "offset");
    assertThat(fx.get("/api/v1/audit/events?severity=high").status()).as("any severity text").isEqualTo(200);
    assertThat(fx.get("/api/v1/audit/events?limit=1001").status()).isEqualTo(400);
    assertThat(fx.get("/api/v1/audit/events?limit=ten").status()).isEqualTo(400);
    assertThat(fx.get("/api/v1/audit/events/count?limit=5").status()).isEqualTo(400);
    assertThat(fx.get("/api/v1/audit/events?since=1h&until=2h").status()).isEqualTo(400);
  }

  @Test
  void aCursorOfOneOrderIsRefusedForTheOther() {
    String cursor = get("?correlation_id=paged&limit=10&order=asc").get("pagination").get("next_cursor").asText();
    var r = fx.get("/api/v1/audit/events?correlation_id=paged&limit=10&order=desc&cursor=" + cursor);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("cursor");
  }

  @Test
  void correlationQueryUsesItsIndex() throws Exception {
    Set<String> childIndexes = new HashSet<>();
    Set<String> partitions = new HashSet<>();
    try (Connection c = fx.server().database().connection(); Statement s = c.createStatement()) {
      s.execute("ANALYZE audit_events");
      // Each partition has its own copy of the index, named by PostgreSQL; find them via pg_inherits.
      try (var rs = s.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
          + " WHERE i.inhparent = 'audit_events_correlation_idx'::regclass")) {
        while (rs.next()) {
          childIndexes.add(rs.getString(1));
        }
      }
      try (var rs = s.executeQuery("SELECT DISTINCT tableoid::regclass::text FROM audit_events WHERE correlation_id = 'shaped'")) {
        while (rs.next()) {
          partitions.add(rs.getString(1));
        }
      }
    }
    String plan = String.join("\n", fx.server().trail().explain(
        new EventFilter(Map.of("correlation_id", "shaped"), null, null), new Page(100, true, null)));
    // Each partition holding rows is read through its copy of the correlation index, not scanned.
    assertThat(partitions).isNotEmpty().allSatisfy(partition -> {
      assertThat(plan).doesNotContain("Seq Scan on " + partition + " ");
      assertThat(childIndexes).anySatisfy(index -> assertThat(plan).contains("using " + index + " on " + partition));
    });
  }

  /** The console's chart and its "hide the server's own records" (the first-hour issue). */
  @Test
  void aHistogramCountsByOutcomeAndACategoryCanBeLeftOut() {
    java.time.Instant start = java.time.Instant.parse("2026-01-01T00:00:00Z");
    com.fasterxml.jackson.databind.node.ArrayNode batch = EventJson.array();
    for (int i = 0; i < 12; i++) {
      var e = EventJson.valid("histogram-" + i, start.plusSeconds(i * 60L));
      e.put("event_category", "histogram").put("event_outcome", i % 4 == 0 ? "failure" : "success");
      batch.add(e);
    }
    try (ServerFixture wide = ServerFixture.start(b -> b.maxEventAge(java.time.Duration.ofDays(3650)))) {
      assertThat(wide.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
      var h = wide.get("/api/v1/audit/events/histogram?event_category=histogram&buckets=4&since=2026-01-01T00:00:00Z"
          + "&until=2026-01-01T00:12:00Z").json();
      assertThat(h.get("bucket_seconds").asLong()).isEqualTo(180);
      assertThat(h.get("buckets")).hasSize(4);
      long success = 0;
      long failure = 0;
      for (var bucket : h.get("buckets")) {
        success += bucket.get("success").asLong();
        failure += bucket.get("failure").asLong();
        assertThat(bucket.get("success").asLong() + bucket.get("failure").asLong()).isEqualTo(3);
      }
      assertThat(success).isEqualTo(9);
      assertThat(failure).isEqualTo(3);
      var open = wide.get("/api/v1/audit/events/histogram?event_category=histogram&buckets=12").json();
      assertThat(open.get("since").asText()).isEqualTo("2026-01-01T00:00:00.000000Z");

      long all = wide.get("/api/v1/audit/events/count").json().get("count").asLong();
      long others = wide.get("/api/v1/audit/events/count?exclude_category=auditflow").json().get("count").asLong();
      assertThat(others).isEqualTo(12);
      assertThat(all).as("the reads above were recorded as auditflow events").isGreaterThan(12);
      assertThat(wide.get("/api/v1/audit/events?exclude_category=histogram").json().get("data"))
          .allSatisfy(e -> assertThat(e.get("event_category").asText()).isNotEqualTo("histogram"));
      assertThat(wide.get("/api/v1/audit/events/histogram?buckets=0").status()).isEqualTo(400);
    }
  }
}
