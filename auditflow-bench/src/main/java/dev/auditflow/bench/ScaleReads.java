package dev.auditflow.bench;

import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every read type on a million-event trail, right after the load, again after {@code ANALYZE}, and
 * again after {@code VACUUM} (what autovacuum brings within minutes) — the harness of issue 31, so that a read whose plan needs fresh statistics is seen the day it
 * lands (docs/BENCHMARKS.md §12).
 *
 * <p>The trail is stored through the real write path (HTTP batches of 5 000 to a durable embedded
 * PostgreSQL, chains and the verifiable log on): 1 000 000 events, every fifth in one correlation
 * ({@code scale-big}, 200 000) and the rest over eight (100 000 each). Autovacuum is switched off for
 * the tables the load fills, so that "right after the load" means no statistics at all rather than
 * whatever autovacuum reached by then. Each read is sent over HTTP with the bench token, so it
 * includes authentication, the query and the access record committed before the answer.
 *
 * <p>Beside it, in the same run and interleaved, the deep offset page 100 000 into {@code
 * scale-big} as the server read it before (one query with {@code OFFSET}, planned on whatever
 * statistics there are) and as it reads it now.
 *
 * <pre>java -cp benchmarks.jar dev.auditflow.bench.ScaleReads [events] [samples]</pre>
 */
public final class ScaleReads {
  private static final int BATCH = 5_000;
  /**
   * The deep-offset page as it was read before the index-order reads (what §12 compares). Its
   * leaf lookup is the one of that time, through log_leaves; on a store written since V18 that
   * table is empty and the lookup finds nothing, so this baseline now does a little less work
   * than the page it is compared with, never more.
   */
  private static final String OLD_OFFSET_PAGE = "SELECT page.*, (SELECT l.leaf_index FROM log_leaves l"
      + " WHERE l.event_id = page.event_id AND l.event_date = page.event_date ORDER BY l.leaf_index DESC LIMIT 1)"
      + " AS log_index FROM (SELECT * FROM audit_events WHERE correlation_id = ?"
      + " ORDER BY event_timestamp DESC, event_id DESC LIMIT 51 OFFSET ?) AS page"
      + " ORDER BY event_timestamp DESC, event_id DESC";

  private record Read(String name, String path, int samples) {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    HttpClient http = HttpClient.newHttpClient();
    try (BenchServer server = new BenchServer(8)) {
      withoutAutovacuum(server.jdbcUrl());
      long started = System.nanoTime();
      Instant first = load(http, server, events);
      System.out.printf("loaded %d events in %.0f s; tables never analysed: %s%n", events,
          (System.nanoTime() - started) / 1e9, neverAnalysed(server.jdbcUrl()));
      String someId = someEventId(http, server, events);
      List<Read> reads = reads(first, someId, samples);

      System.out.println("\n== right after the load (no statistics, no visibility map)");
      measure(http, server, reads);
      compareOffsetPages(server, samples, events / 10);

      maintain(server.jdbcUrl(), "ANALYZE");
      measure(http, server, reads);
      compareOffsetPages(server, samples, events / 10);

      // What autovacuum does within minutes of a load: the visibility map lets index-only scans skip the heap.
      maintain(server.jdbcUrl(), "VACUUM");
      measure(http, server, reads);
      compareOffsetPages(server, samples, events / 10);
    }
  }

  private static void maintain(String jdbcUrl, String command) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      long t0 = System.nanoTime();
      s.execute(command);
      System.out.printf("%n== after %s (%.1f s)%n", command, (System.nanoTime() - t0) / 1e9);
    }
  }

  private static List<Read> reads(Instant first, String eventId, int samples) {
    String window = "since=" + Timestamps.format(first.plusSeconds(10)) + "&until=" + Timestamps.format(first.plusSeconds(11));
    int few = Math.max(3, samples / 10);
    return List.of(
        new Read("newest page, no filter, with total", "/api/v1/audit/events?limit=100", samples),
        new Read("count of all events", "/api/v1/audit/events/count", samples),
        new Read("one correlation, newest 50", "/api/v1/audit/events?correlation_id=scale-big&limit=50", samples),
        new Read("one correlation, 1 000 ascending", "/api/v1/audit/events?correlation_id=scale-big&limit=1000&order=asc", samples),
        new Read("one correlation, offset 1 000", "/api/v1/audit/events?correlation_id=scale-big&limit=50&offset=1000", samples),
        new Read("one correlation, offset 100 000", "/api/v1/audit/events?correlation_id=scale-big&limit=50&offset=100000", samples),
        new Read("one correlation, offset 190 000", "/api/v1/audit/events?correlation_id=scale-big&limit=50&offset=190000", samples),
        new Read("event_type page", "/api/v1/audit/events?event_type=scale.read&limit=100", samples),
        new Read("severity page (rare value)", "/api/v1/audit/events?severity=critical&limit=100", samples),
        new Read("time window page (1 s)", "/api/v1/audit/events?limit=100&" + window, samples),
        new Read("one event by id", "/api/v1/audit/events/" + eventId, samples),
        new Read("histogram, 24 buckets", "/api/v1/audit/events/histogram?buckets=24", few),
        new Read("log checkpoint", "/api/v1/log/checkpoint", samples),
        new Read("log inclusion proof", "/api/v1/log/proof/inclusion?event_id=" + eventId, samples),
        new Read("console health", "/api/v1/console/health", samples),
        new Read("verify one 100 000-event chain", "POST /api/v1/audit/verify {\"correlation_id\":\"scale-1\"}", 3));
  }

  private static void measure(HttpClient http, BenchServer server, List<Read> reads) throws Exception {
    System.out.printf("%-40s %9s %9s %9s %9s%n", "read", "first ms", "p50 ms", "p99 ms", "max ms");
    for (Read read : reads) {
      double firstMillis = time(http, server, read.path());
      double[] millis = new double[read.samples()];
      for (int i = 0; i < millis.length; i++) {
        millis[i] = time(http, server, read.path());
      }
      Arrays.sort(millis);
      System.out.printf("%-40s %9.1f %9.1f %9.1f %9.1f%n", read.name(), firstMillis, at(millis, 0.50), at(millis, 0.99),
          millis[millis.length - 1]);
    }
  }

  /**
   * The page {@code offset} deep into {@code scale-big} (100 000 at a million events), newest first: the server's read (index order,
   * index-only skip) against the query the server sent before, alternately, each on the same store.
   */
  private static void compareOffsetPages(BenchServer server, int samples, int offset) throws Exception {
    EventFilter big = new EventFilter(Map.of("correlation_id", "scale-big"), null, null);
    double[] now = new double[samples];
    double[] before = new double[samples];
    try (Connection c = DriverManager.getConnection(server.jdbcUrl());
        PreparedStatement old = c.prepareStatement(OLD_OFFSET_PAGE)) {
      old.setString(1, "scale-big");
      old.setInt(2, offset);
      for (int i = 0; i < samples; i++) {
        long t0 = System.nanoTime();
        int rows = server.server().trail().list(big, new Page(50, true, null, offset)).events().size();
        now[i] = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        int oldRows = 0;
        try (ResultSet rs = old.executeQuery()) {
          while (rs.next()) {
            oldRows++;
          }
        }
        before[i] = (System.nanoTime() - t0) / 1e6;
        if (rows != 50 || oldRows != 51) {
          throw new IllegalStateException("the two reads disagree: " + rows + " / " + oldRows + " rows");
        }
      }
    }
    Arrays.sort(now);
    Arrays.sort(before);
    System.out.printf("offset %d, query only: now p50 %.1f p99 %.1f ms; before (plain OFFSET) p50 %.1f p99 %.1f ms%n",
        offset, at(now, 0.5), at(now, 0.99), at(before, 0.5), at(before, 0.99));
  }

  private static Instant load(HttpClient http, BenchServer server, int events) throws Exception {
    Instant first = Instant.now();
    ParallelLoad.run(events, BATCH, (from, to) -> post(http, server, "/api/v1/audit/events/batch", batch(from, to)));
    return first;
  }

  private static String batch(int from, int to) {
    StringBuilder json = new StringBuilder(400 * (to - from)).append('[');
    String now = Timestamps.format(Instant.now());
    for (int n = from; n < to; n++) {
      json.append(n == from ? "" : ",").append("{\"event_id\":\"").append(UuidV7.generate())
          .append("\",\"event_type\":\"scale.read\",\"event_timestamp\":\"").append(now)
          .append("\",\"event_category\":\"bench\",\"event_action\":\"read\",\"event_outcome\":\"success\"")
          .append(",\"severity\":\"").append(n % 10_000 == 0 ? "critical" : "info")
          .append("\",\"correlation_id\":\"").append(n % 5 == 0 ? "scale-big" : "scale-" + n % 8)
          .append("\",\"event_data\":{\"n\":").append(n).append(",\"payload\":\"").append("x".repeat(200)).append("\"}}");
    }
    return json.append(']').toString();
  }

  private static void withoutAutovacuum(String jdbcUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("SELECT auditflow_ensure_month_partition(current_date)");
      try (ResultSet rs = s.executeQuery("SELECT 'audit_events_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')")) {
        rs.next();
        s.execute("ALTER TABLE " + rs.getString(1) + " SET (autovacuum_enabled = false)");
      }
      s.execute("ALTER TABLE log_batches SET (autovacuum_enabled = false)");
      s.execute("ALTER TABLE audit_event_ids SET (autovacuum_enabled = false)");
    }
  }

  private static String neverAnalysed(String jdbcUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_stat_user_tables"
            + " WHERE n_live_tup > 1000 AND last_analyze IS NULL AND last_autoanalyze IS NULL")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** An event half-way into {@code scale-3}: stored, and integrated into the log long since. */
  private static String someEventId(HttpClient http, BenchServer server, int events) throws Exception {
    String body = send(http, server, "/api/v1/audit/events?correlation_id=scale-3&limit=1&offset=" + events / 20);
    int at = body.indexOf("\"event_id\":\"") + 12;
    return body.substring(at, at + 36);
  }

  private static double time(HttpClient http, BenchServer server, String path) throws Exception {
    long t0 = System.nanoTime();
    send(http, server, path);
    return (System.nanoTime() - t0) / 1e6;
  }

  /** GET {@code path}, or {@code "POST path body"}. */
  private static String send(HttpClient http, BenchServer server, String path) throws Exception {
    if (path.startsWith("POST ")) {
      String[] parts = path.split(" ", 3);
      return post(http, server, parts[1], parts[2]);
    }
    return check(path, http.send(HttpRequest.newBuilder(URI.create(server.uri() + path))
        .header("Authorization", "Bearer " + server.token()).build(), HttpResponse.BodyHandlers.ofString()));
  }

  private static String post(HttpClient http, BenchServer server, String path, String body) throws Exception {
    return check(path, http.send(HttpRequest.newBuilder(URI.create(server.uri() + path))
        .header("Authorization", "Bearer " + server.token()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
  }

  private static String check(String path, HttpResponse<String> r) {
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static double at(double[] sorted, double quantile) {
    return sorted[(int) Math.ceil(quantile * sorted.length) - 1];
  }
}
