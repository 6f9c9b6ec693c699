package dev.auditflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.HdrHistogram.Histogram;

/**
 * The seed's trickle and what it is measured by: events emitted at a steady rate, then each one's
 * emit → queryable read back from the server — its {@code received_at} minus the timestamp it was
 * emitted with — so that every pipeline measured is timed by the same clock, the same way.
 */
final class EmitLatency {
  private EmitLatency() {}

  /** Calls {@code emit} with 0 … events−1, {@code perSecond} times a second, on a timer (no drift). */
  static void trickle(int events, int perSecond, IntConsumer emit) throws InterruptedException {
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    long next = System.nanoTime();
    for (int i = 0; i < events; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      next += periodNanos;
      emit.accept(i);
    }
  }

  /** Emit → queryable of every stored event of {@code correlation}, in microseconds. */
  static Histogram readBack(BenchServer server, String correlation) throws Exception {
    Histogram latency = new Histogram(3_600_000_000L, 3);
    HttpClient http = HttpClient.newHttpClient();
    String cursor = null;
    do {
      String query = "/api/v1/audit/events?correlation_id=" + correlation + "&limit=1000"
          + (cursor == null ? "" : "&cursor=" + cursor);
      JsonNode page = AuditEventJson.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(server.uri() + query))
          .header("Authorization", "Bearer " + server.token()).build(), HttpResponse.BodyHandlers.ofString()).body());
      for (JsonNode e : page.get("data")) {
        Instant emitted = Instant.parse(e.get("event_timestamp").asText());
        Instant received = Instant.parse(e.get("received_at").asText());
        latency.recordValue(Math.max(0, Duration.between(emitted, received).toNanos() / 1_000));
      }
      JsonNode next = page.path("pagination").path("next_cursor");
      cursor = next.isTextual() && page.path("pagination").path("has_more").asBoolean() ? next.asText() : null;
    } while (cursor != null);
    return latency;
  }

  /** One line per measured run: p50, p99 and max in milliseconds, and how many of the events were read back. */
  static void print(String run, Histogram latency, int events) {
    System.out.printf("%s: emit->queryable p50 %.0f ms p99 %.0f ms max %.0f ms (n=%d of %d)%n", run,
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getMaxValue() / 1000.0, latency.getTotalCount(), events);
  }
}
