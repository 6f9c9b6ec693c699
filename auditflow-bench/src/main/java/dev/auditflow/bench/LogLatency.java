package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.http.BearerToken;
import dev.auditflow.client.http.HttpBatchTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Commit → signed checkpoint, as a verifier sees it: a poller fetches {@code GET
 * /api/v1/log/checkpoint} every 25 ms and notes when each tree size first appears; each event's
 * latency is that moment for the first checkpoint holding its leaf, minus the time it was queued
 * (inside its write transaction, a moment before its commit — so the figure is an upper bound).
 * Three loads on a durable embedded PostgreSQL with the integrator as {@code serve} runs it: the
 * seed's trickle (5 events/s, one per request), the seed's bursts (50 requests of 10 at once,
 * every 2 s: the incident's 500-event bursts) and sustained ingest (2 writers of 1 000-event
 * batches back to back, IngestBenchmark's http load). The log_queue depth is sampled every second:
 * a backlog that grows during a phase, or is left at its end, is printed.
 *
 * <pre>java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.LogLatency [seconds per phase]</pre>
 */
public final class LogLatency {
  private static final Duration POLL = Duration.ofMillis(25);
  /** Events waiting in the log's queue (a row holds one request's events). */
  private static final String QUEUED = "SELECT coalesce(sum(cardinality(event_ids)), 0) FROM log_queue";
  private static final String TREE_SIZE = "SELECT tree_size FROM log_state";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    try (BenchServer server = new BenchServer(4)) {
      LogLatency run = new LogLatency(server);
      run.phase("trickle 5/s", seconds, run::trickle);
      run.phase("bursts 500", seconds, run::bursts);
      run.phase("sustained", seconds, run::sustained);
    }
  }

  private final BenchServer server;
  private final HttpBatchTransport transport;
  private final HttpClient http = HttpClient.newHttpClient();
  /** Tree size → when a checkpoint of that size was first seen (wall clock: the database's is compared). */
  private final ConcurrentSkipListMap<Long, Instant> seen = new ConcurrentSkipListMap<>();
  private final List<Long> queueDepths = new CopyOnWriteArrayList<>();

  private LogLatency(BenchServer server) {
    this.server = server;
    this.transport = new HttpBatchTransport(server.uri(), BearerToken.of(server.token()), null);
  }

  private interface Load {
    void run(long deadlineNanos) throws Exception;
  }

  private void phase(String name, int seconds, Load load) throws Exception {
    // The previous phase drained the queue: every leaf so far is in the signed tree.
    long firstLeaf = scalar(TREE_SIZE);
    queueDepths.clear();
    ExecutorService watchers = Executors.newFixedThreadPool(2);
    watchers.submit(this::pollCheckpoints);
    watchers.submit(this::sampleQueue);
    long start = System.nanoTime();
    load.run(start + TimeUnit.SECONDS.toNanos(seconds));
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    // Let the integrator finish and the poller see the last checkpoint.
    long drainedAt = System.nanoTime();
    while (scalar(QUEUED) > 0
        || seen.isEmpty() || seen.lastKey() < scalar(TREE_SIZE)) {
      Thread.sleep(25);
    }
    double drainSeconds = (System.nanoTime() - drainedAt) / 1e9;
    watchers.shutdownNow();
    watchers.awaitTermination(10, TimeUnit.SECONDS);
    List<Double> millis = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT leaf_index, queued_at FROM log_tree_leaves WHERE leaf_index >= " + firstLeaf)) {
      while (rs.next()) {
        Map.Entry<Long, Instant> firstHolding = seen.ceilingEntry(rs.getLong(1) + 1);
        millis.add(Duration.between(rs.getTimestamp(2).toInstant(), firstHolding.getValue()).toNanos() / 1e6);
      }
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    long maxDepth = queueDepths.stream().mapToLong(Long::longValue).max().orElse(0);
    System.out.printf("%-12s events %7d (%6.0f/s)  commit->checkpoint ms p50 %7.1f p99 %7.1f max %7.1f"
            + "  queue max %6d, drained %.2f s after the load%n", name, sorted.length, sorted.length / loadSeconds,
        at(sorted, 0.50), at(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1], maxDepth,
        drainSeconds);
    System.out.println("  queue depth per second: " + queueDepths);
  }

  private void trickle(long deadline) throws Exception {
    int n = 0;
    long next = System.nanoTime();
    while (System.nanoTime() < deadline) {
      transport.send(events("trickle-" + n % 10, 1), Duration.ofSeconds(30));
      n++;
      next += TimeUnit.MILLISECONDS.toNanos(200);
      TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
    }
  }

  private void bursts(long deadline) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(50);
    try {
      int burst = 0;
      while (System.nanoTime() < deadline) {
        long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        CountDownLatch done = new CountDownLatch(50);
        for (int t = 0; t < 50; t++) {
          String correlation = "burst-" + burst + "-" + t;
          threads.submit(() -> {
            try {
              transport.send(events(correlation, 10), Duration.ofSeconds(30));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            } finally {
              done.countDown();
            }
            return null;
          });
        }
        done.await();
        burst++;
        TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
      }
    } finally {
      threads.shutdown();
    }
  }

  private void sustained(long deadline) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      String prefix = "sustained-" + t;
      writers.add(threads.submit(() -> {
        while (System.nanoTime() < deadline) {
          transport.send(IngestBenchmark.Writer.batch(prefix), Duration.ofSeconds(60));
        }
        return null;
      }));
    }
    for (var w : writers) {
      w.get();
    }
    threads.shutdown();
  }

  private static List<AuditEvent> events(String correlation, int n) {
    List<AuditEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(AuditEvent.builder().eventType("bench.log").eventTimestamp(Instant.now()).eventCategory("bench")
          .eventAction("ingest").eventOutcome(EventOutcome.SUCCESS).correlationId(correlation)
          .eventData(Map.of("payload", IngestBenchmark.PAYLOAD, "n", i)).build());
    }
    return events;
  }

  private Void pollCheckpoints() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/log/checkpoint"))
        .header("Authorization", "Bearer " + server.token()).build();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        Instant now = Instant.now();
        long size = Long.parseLong(r.body().split("\n")[1]);
        seen.putIfAbsent(size, now);
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        return null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return null;
  }

  private Void sampleQueue() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        queueDepths.add(scalar(QUEUED));
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        return null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return null;
  }

  private long scalar(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double at(double[] sorted, double quantile) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(quantile * sorted.length) - 1];
  }
}
