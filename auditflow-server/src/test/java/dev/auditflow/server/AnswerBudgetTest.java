package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hardening finding 6b: answers were built whole in memory whatever their size — six parallel 50 MB
 * JSON exports, or six pages of 200 large events, ran the server out of memory. With a budget of
 * 1 MiB and twenty events of 200 KiB (4 MB in all), every kind of answer stays within it and says
 * how to get the rest.
 */
class AnswerBudgetTest {
  private static final int EVENTS = 20;

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.limits(
      new RequestLimits(RequestLimits.defaults().headerTimeout(), 4, 4, 1024 * 1024, 1_000)));

  @BeforeAll
  static void storeLargeEvents() {
    ArrayNode batch = EventJson.array();
    for (int i = 0; i < EVENTS; i++) {
      ObjectNode e = EventJson.valid("large");
      e.put("event_category", "large");
      e.putObject("event_data").put("blob", String.valueOf((char) ('a' + i)).repeat(200 * 1024));
      batch.add(e);
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    LogRounds.integrateAll(fx.server());
  }

  @Test
  void aCursorPageEndsAtTheBudgetAndItsCursorLeadsOnToEveryEvent() {
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var r = fx.get("/api/v1/audit/events?correlation_id=large&limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().length()).as("one page's bytes").isLessThan(1024 * 1024 + 64 * 1024);
      r.json().get("data").forEach(e -> assertThat(seen.add(e.get("event_id").asText())).isTrue());
      JsonNode next = r.json().get("pagination").get("next_cursor");
      cursor = next.isNull() ? null : next.asText();
      pages++;
    } while (cursor != null);
    assertThat(seen).hasSize(EVENTS);
    assertThat(pages).isGreaterThanOrEqualTo(4);
  }

  @Test
  void anOffsetPageOrAJsonExportThatWouldNotFitIsRefusedNamingTheRemedy() {
    var page = fx.get("/api/v1/audit/events?correlation_id=large&limit=20&offset=0");
    assertThat(page.status()).isEqualTo(400);
    assertThat(page.json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
    assertThat(page.json().get("errors").get(0).get("message").asText()).contains("at most 5 of them fit");
    assertThat(fx.get("/api/v1/audit/events?correlation_id=large&limit=5&offset=0").status()).isEqualTo(200);

    var export = fx.get("/api/v1/audit/export?event_category=large&limit=20");
    assertThat(export.status()).isEqualTo(400);
    assertThat(export.json().get("errors").get(0).get("field").asText()).isEqualTo("limit");
    assertThat(export.json().get("errors").get(0).get("message").asText()).contains("format=ndjson");
    var streamed = fx.get("/api/v1/audit/export?event_category=large&format=ndjson");
    assertThat(streamed.status()).as("the streamed export has no such bound").isEqualTo(200);
    assertThat(streamed.body().lines().filter(l -> l.startsWith("{\"event\"")).count()).isEqualTo(EVENTS);
  }

  @Test
  void logEntriesEndAtTheBudget() {
    var entries = fx.get("/api/v1/log/entries?start=0&limit=1000");
    assertThat(entries.status()).isEqualTo(200);
    int served = entries.json().get("entries").size();
    assertThat(served).isEqualTo(5);
    assertThat(entries.body().length()).isLessThan(1024 * 1024 + 64 * 1024);
    var rest = fx.get("/api/v1/log/entries?start=" + served + "&limit=1000");
    assertThat(rest.json().get("entries").get(0).get("leaf_index").asLong()).isEqualTo(served);
  }
}
