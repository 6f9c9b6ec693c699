package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.server.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Audited reads under concurrency, with ingest beside them: on the 1 M-event trail of {@link
 * QueryFilters}, readers in a closed loop ask for the first page of {@code GET
 * /api/v1/audit/events} of one correlation or one resource, drawn at random for every request
 * (each with its access record committed before the answer). These are reads whose own work is
 * small (a page of about 10 rows and their count), so that what the access record's commit costs
 * under concurrency is what is measured; a page whose {@code total} counts a large share of the
 * trail is CPU-bound (BENCHMARKS §12), whatever the commit does. while one writer posts a batch of 100 events every 100 ms
 * (1 000 events/s, shaped like the trail's) and times each. Phases, each warmed up and then measured for the same time:
 * ingest alone; 1 reader; 8 readers of one principal; 8 readers of 8 principals. Reports per
 * phase reads/s, read p50/p99/max and ingest p50/p99.
 *
 * <p>One process is one fork; run it three times.
 *
 * <pre>java -cp benchmarks.jar dev.auditflow.bench.ConcurrentReads [rows] [seconds per phase]</pre>
 */
public final class ConcurrentReads {
  private static final int READERS = 8;
  private static final int INGEST_BATCH = 100;
  private static final long INGEST_EVERY_MS = 100;

  private record Phase(String name, int readers, boolean onePrincipal) {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    QueryFilters.rows(rows);
    HttpClient http = HttpClient.newHttpClient();
    // The server's default pool (10 connections), as `serve` runs.
    try (BenchServer server = new BenchServer(10)) {
      long start = System.nanoTime();
      QueryData.load(server.jdbcUrl(), rows, QueryFilters.LOADED_AT);
      System.out.printf("loaded %d events in %.0f s; %d s per phase after as long a warm-up%n", rows,
          (System.nanoTime() - start) / 1e9, seconds);
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        tokens.add(server.server().apiTokens().create("reader-" + i, EnumSet.of(Role.READER), null, "bench").secret());
      }
      System.out.printf("%-26s %9s %9s %9s %9s %11s %11s%n", "phase", "reads/s", "p50 ms", "p99 ms", "max ms",
          "ingest p50", "ingest p99");
      for (Phase phase : List.of(new Phase("ingest alone", 0, true), new Phase("1 reader", 1, true),
          new Phase("8 readers, one principal", READERS, true), new Phase("8 readers, 8 principals", READERS, false))) {
        run(http, server, tokens, phase, seconds); // warm-up
        Result r = run(http, server, tokens, phase, seconds);
        System.out.printf("%-26s %9.0f %9.2f %9.2f %9.2f %11.2f %11.2f%n", phase.name(), r.readsPerSecond(),
            at(r.reads(), 0.50), at(r.reads(), 0.99), at(r.reads(), 1.0), at(r.ingest(), 0.50), at(r.ingest(), 0.99));
      }
    }
  }

  private record Result(double readsPerSecond, double[] reads, double[] ingest) {}

  private static Result run(HttpClient http, BenchServer server, List<String> tokens, Phase phase, int seconds)
      throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(phase.readers() + 1);
    try {
      Future<double[]> ingest = threads.submit(() -> ingest(http, server, running));
      List<Future<double[]>> readers = new ArrayList<>();
      for (int i = 0; i < phase.readers(); i++) {
        String token = tokens.get(phase.onePrincipal() ? 0 : i);
        Random random = new Random(31L * i + phase.readers());
        readers.add(threads.submit(() -> read(http, server, token, random, running)));
      }
      long started = System.nanoTime();
      Thread.sleep(seconds * 1_000L);
      running.set(false);
      double[] reads = new double[0];
      for (Future<double[]> reader : readers) {
        reads = concat(reads, reader.get());
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      Arrays.sort(reads);
      double[] writes = ingest.get();
      Arrays.sort(writes);
      return new Result(reads.length / elapsed, reads, writes);
    } finally {
      threads.shutdownNow();
      threads.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private static double[] read(HttpClient http, BenchServer server, String token, Random random, AtomicBoolean running)
      throws Exception {
    QueryFilters.Filter[] filters = {QueryFilters.Filter.CORRELATION, QueryFilters.Filter.RESOURCE};
    List<Double> millis = new ArrayList<>();
    while (running.get()) {
      QueryFilters.Filter filter = filters[random.nextInt(filters.length)];
      String query = filter.query.apply(random);
      long t0 = System.nanoTime();
      send(http, HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/audit/events?" + query))
          .header("Authorization", "Bearer " + token).build(), 200);
      double took = (System.nanoTime() - t0) / 1e6;
      millis.add(took);
      if (took > SLOW_MS) {
        System.out.printf("  slow read %.0f ms: %s%n", took, query);
      }
    }
    return millis.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static final double SLOW_MS = Double.parseDouble(System.getProperty("slow.ms", "1e9"));

  /** A batch every {@link #INGEST_EVERY_MS} on a fixed schedule (a late batch does not push the next ones back). */
  private static double[] ingest(HttpClient http, BenchServer server, AtomicBoolean running) throws Exception {
    List<Double> millis = new ArrayList<>();
    Random random = new Random(11);
    long next = System.nanoTime();
    for (int batch = 0; running.get(); batch++) {
      // Shaped like the trail's own events: every category, outcome and actor among the newest
      // rows, so that a newest-first read finds its page among them as it does in the loaded trail.
      List<AuditEvent> events = new ArrayList<>(INGEST_BATCH);
      for (int i = 0; i < INGEST_BATCH; i++) {
        events.add(AuditEvent.builder().eventType(QueryData.type(random.nextInt(QueryData.TYPES)))
            .eventTimestamp(Instant.now()).eventCategory(pick(random, QueryData.CATEGORIES)).eventAction("act")
            .eventOutcome(EventOutcome.fromWireName(pick(random, QueryData.OUTCOMES)).orElseThrow())
            .correlationId("concurrent-reads-" + i % 10).actorType("service")
            .actorId(QueryData.actor(random.nextInt(QueryData.ACTORS)))
            .severity(pick(random, QueryData.SEVERITIES)).eventData(Map.of("batch", batch, "n", i)).build());
      }
      String body = AuditEventJson.mapper().writeValueAsString(events);
      long t0 = System.nanoTime();
      send(http, HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/audit/events/batch"))
          .header("Authorization", "Bearer " + server.token()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201);
      millis.add((System.nanoTime() - t0) / 1e6);
      next += TimeUnit.MILLISECONDS.toNanos(INGEST_EVERY_MS);
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    return millis.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void send(HttpClient http, HttpRequest request, int expected) throws Exception {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": "
          + r.body());
    }
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static double[] concat(double[] a, double[] b) {
    double[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static double at(double[] sorted, double quantile) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(quantile * sorted.length) - 1)];
  }
}
