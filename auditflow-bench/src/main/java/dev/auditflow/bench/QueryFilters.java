package dev.auditflow.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Latency of the first page (100 events, newest first) of {@code GET /api/v1/audit/events} for
 * every filter the API serves, over HTTP with a reader token — authentication, the query and the
 * access audit record committed before the answer — on a 1 M-event trail shaped by {@link
 * QueryData}. Each sample draws a new value for its filter, rare values as often as common ones.
 *
 * <p>One process loads the trail once and measures every filter, which a JMH fork per filter
 * (each reloading a million rows) could not afford; run it three times for three forks.
 *
 * <pre>java -cp benchmarks.jar dev.auditflow.bench.QueryFilters [rows] [samples per filter]</pre>
 */
public final class QueryFilters {
  enum Filter {
    CORRELATION(r -> "correlation_id=" + QueryData.correlation(r.nextInt(QueryData.correlations(ROWS)))),
    TYPE(r -> "event_type=" + QueryData.type(r.nextInt(QueryData.TYPES))),
    CATEGORY(r -> "event_category=" + pick(r, QueryData.CATEGORIES)),
    OUTCOME(r -> "event_outcome=" + pick(r, QueryData.OUTCOMES)),
    SEVERITY(r -> "severity=" + pick(r, QueryData.SEVERITIES)),
    ACTOR(r -> "actor_id=" + QueryData.actor(r.nextInt(QueryData.ACTORS))),
    RESOURCE(r -> "resource_type=" + pick(r, QueryData.RESOURCE_TYPES) + "&resource_id="
        + QueryData.resource(r.nextInt(QueryData.RESOURCES))),
    TIME_WINDOW(r -> {
      Instant since = LOADED_AT.minusSeconds(r.nextInt(QueryData.DAYS * 86_400));
      return "since=" + encode(since) + "&until=" + encode(since.plusSeconds(3_600));
    }),
    NONE(r -> "");

    final Function<Random, String> query;

    Filter(Function<Random, String> query) {
      this.query = query;
    }
  }

  private static int ROWS = 1_000_000;
  /** When the trail was loaded, as {@link QueryData#load} is told: the time windows are drawn before it. */
  static final Instant LOADED_AT = Instant.now();

  /** The rows {@link QueryData#load} was given, which the correlation filter draws from. */
  static void rows(int rows) {
    ROWS = rows;
  }

  public static void main(String[] args) throws Exception {
    rows(args.length > 0 ? Integer.parseInt(args[0]) : ROWS);
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    HttpClient http = HttpClient.newHttpClient();
    try (BenchServer server = new BenchServer(4)) {
      long start = System.nanoTime();
      QueryData.load(server.jdbcUrl(), ROWS, LOADED_AT);
      System.out.printf("loaded %d events in %.0f s%n", ROWS, (System.nanoTime() - start) / 1e9);
      Random random = new Random(7);
      System.out.printf("%-12s %8s %8s %8s %8s %10s%n", "filter", "p50 ms", "p90 ms", "p99 ms", "max ms", "rows/page");
      for (Filter filter : Filter.values()) {
        for (int i = 0; i < samples / 5; i++) {
          get(http, server, filter.query.apply(random)); // warm-up: JIT, plans, index pages in cache
        }
        double[] millis = new double[samples];
        long rows = 0;
        for (int i = 0; i < samples; i++) {
          String query = filter.query.apply(random);
          long t0 = System.nanoTime();
          String body = get(http, server, query);
          millis[i] = (System.nanoTime() - t0) / 1e6;
          rows += count(body);
        }
        Arrays.sort(millis);
        System.out.printf("%-12s %8.2f %8.2f %8.2f %8.2f %10.1f%n", filter, at(millis, 0.50), at(millis, 0.90),
            at(millis, 0.99), millis[samples - 1], (double) rows / samples);
      }
    }
  }

  private static String get(HttpClient http, BenchServer server, String query) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/audit/events?"
        + query)).header("Authorization", "Bearer " + server.token()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET ?" + query + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Events in a page: each carries exactly one {@code "event_id"}. */
  private static int count(String body) {
    int n = 0;
    for (int i = body.indexOf("\"event_id\""); i >= 0; i = body.indexOf("\"event_id\"", i + 1)) {
      n++;
    }
    return n;
  }

  private static double at(double[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1];
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static String encode(Instant instant) {
    return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
  }
}
