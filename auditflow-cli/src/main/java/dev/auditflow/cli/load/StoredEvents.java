package dev.auditflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.cli.ApiClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Counts what the server actually stored for a run, by paging through the query API for each
 * of the run's correlation ids — every page, never just the first (the incident's "90 % loss"
 * was one page of 50). Emit → queryable latency per event is {@code received_at − event_timestamp}:
 * the load tool stamps each event as it emits it, and the server stamps it in the transaction
 * that makes it queryable (same machine, same clock).
 */
public final class StoredEvents {
  /** What was found: the distinct event ids, how many rows repeated one, and the latencies. */
  public record Found(Set<String> ids, long duplicates, Histogram emitToQueryableMicros) {
    public long distinct() {
      return ids.size();
    }
  }

  private static final Duration RECOUNT_AFTER = Duration.ofMillis(250);
  private final ApiClient server;

  public StoredEvents(ApiClient server) {
    this.server = server;
  }

  /**
   * Counts until at least {@code acknowledged} distinct events are stored, or {@code wait} has
   * passed: in Kafka mode an acknowledged event is stored a moment after the answer. The last count
   * is returned either way; in direct mode the first count is the last.
   */
  public Found countWhenStored(Collection<String> correlationIds, long acknowledged, Duration wait)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Found found = count(correlationIds);
    while (found.distinct() < acknowledged && System.nanoTime() < deadline) {
      Thread.sleep(RECOUNT_AFTER.toMillis());
      found = count(correlationIds);
    }
    return found;
  }

  public Found count(Collection<String> correlationIds) throws IOException, InterruptedException {
    Set<String> seen = new HashSet<>();
    long duplicates = 0;
    Histogram latency = new Histogram(3_600_000_000L, 3);
    for (String correlationId : correlationIds) {
      String cursor = null;
      do {
        String query = "/api/v1/audit/events?order=asc&limit=1000&correlation_id="
            + URLEncoder.encode(correlationId, StandardCharsets.UTF_8)
            + (cursor == null ? "" : "&cursor=" + cursor);
        JsonNode page = get(query);
        for (JsonNode e : page.get("data")) {
          if (!seen.add(e.get("event_id").asText())) {
            duplicates++;
            continue;
          }
          Instant emitted = Timestamps.parse(e.get("event_timestamp").asText());
          Instant received = Timestamps.parse(e.get("received_at").asText());
          latency.recordValue(Math.max(0, Duration.between(emitted, received).toNanos() / 1_000));
        }
        JsonNode pagination = page.get("pagination");
        cursor = pagination.get("has_more").asBoolean() ? pagination.get("next_cursor").asText() : null;
      } while (cursor != null);
    }
    return new Found(seen, duplicates, latency);
  }

  private JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    return AuditEventJson.mapper().readTree(
        ApiClient.expect(server.get(pathAndQuery, Duration.ofSeconds(60)), 200, "counting what the server stored").body());
  }
}
