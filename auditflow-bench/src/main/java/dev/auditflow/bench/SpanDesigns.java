package dev.auditflow.bench;

import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.trail.StoredEvent;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The two designs docs/SCALE.md weighs for reads across shards, at the SQL level on the same
 * shards (issue 28): <b>fan-out</b> — the node asks each shard in parallel on a connection of its
 * own and merges by {@code (event_timestamp, event_id)} or sums, as {@code ShardedTrail} does — and
 * a <b>coordinator</b> — one more database whose {@code events} table is hash-partitioned over
 * {@code postgres_fdw} foreign partitions, one per shard (asynchronous append on, partitionwise
 * aggregation on), asked one query. The single database holding the same events is the baseline.
 * Every variant runs the same per-shard SQL (the trail's columns), request by request in turn.
 *
 * <p>A correlation's page: fan-out asks the correlation's shard only; the coordinator's hash is
 * not the Kafka placement (PostgreSQL's hash partitioning cannot be given murmur2: asked through
 * {@code events}, it would prune to the wrong partition for half the correlations), so it is asked
 * through the shard's foreign table directly — what its pruning does when the two agree. The
 * plans printed at the end are the coordinator's, with the SQL it sends each shard.
 */
final class SpanDesigns {
  private static final String PAGE = "SELECT " + StoredEvent.COLUMNS + " FROM %s WHERE %s ORDER BY event_timestamp,"
      + " event_id LIMIT 50";
  private static final String WINDOW = "event_timestamp >= ? AND event_timestamp < ? AND event_date >= ?"
      + " AND event_date <= ?";
  private static final Comparator<Row> ORDER = Comparator.comparing(Row::timestamp)
      .thenComparing(Row::eventId, (x, y) -> Arrays.compareUnsigned(bytes(x), bytes(y)));

  private record Row(Instant timestamp, UUID eventId) {}

  private SpanDesigns() {}

  /**
   * @param urls the databases by name: {@code shard_a}, {@code shard_b}, {@code single}, and an
   *     empty {@code coordinator} that this sets up
   */
  static void measure(Map<String, String> urls, int port, Placement placement, int requests, Instant t0,
      Duration spread, int correlations) throws Exception {
    ExecutorService fanOut = Executors.newFixedThreadPool(2);
    try (Connection a = DriverManager.getConnection(urls.get("shard_a"));
        Connection b = DriverManager.getConnection(urls.get("shard_b"));
        Connection single = DriverManager.getConnection(urls.get("single"));
        Connection coordinator = DriverManager.getConnection(urls.get("coordinator"))) {
      setUpCoordinator(coordinator, a, port);
      Map<String, Connection> shards = Map.of("a", a, "b", b);
      Random random = new Random(28);
      Map<String, double[]> took = new LinkedHashMap<>();
      for (int i = 0; i < requests; i++) {
        String correlation = "shard-read-" + random.nextInt(correlations);
        Instant since = t0.plus(Duration.ofMinutes(random.nextInt((int) spread.toMinutes() - 10)));
        Object[] window = {Timestamp.from(since), Timestamp.from(since.plus(Duration.ofMinutes(10))),
            date(since), date(since.plus(Duration.ofMinutes(10)))};
        String shard = placement.writtenTo(correlation);
        int n = i;
        time(took, n, requests, "correlation, first page of 50 | fan-out (its shard)",
            () -> rows(shards.get(shard), PAGE.formatted("audit_events", "correlation_id = ?"), correlation).size());
        time(took, n, requests, "correlation, first page of 50 | coordinator, pruned to its shard",
            () -> rows(coordinator, PAGE.formatted("events_" + shard, "correlation_id = ?"), correlation).size());
        time(took, n, requests, "correlation, first page of 50 | one database",
            () -> rows(single, PAGE.formatted("audit_events", "correlation_id = ?"), correlation).size());
        time(took, n, requests, "10-minute window, first page of 50 | fan-out (both, merged)",
            () -> merged(fanOut, List.of(a, b), window).size());
        time(took, n, requests, "10-minute window, first page of 50 | coordinator",
            () -> rows(coordinator, PAGE.formatted("events", WINDOW), window).size());
        time(took, n, requests, "10-minute window, first page of 50 | one database",
            () -> rows(single, PAGE.formatted("audit_events", WINDOW), window).size());
        time(took, n, requests, "10-minute window, count | fan-out (both, summed)",
            () -> summed(fanOut, List.of(a, b), window));
        time(took, n, requests, "10-minute window, count | coordinator",
            () -> count(coordinator, "events", window));
        time(took, n, requests, "10-minute window, count | one database",
            () -> count(single, "audit_events", window));
      }
      System.out.println("\nSQL level: read | design | p50 ms | p99 ms | max ms");
      took.forEach((key, values) -> {
        Arrays.sort(values);
        System.out.printf("%s | %.2f | %.2f | %.2f%n", key, values[values.length / 2],
            values[(int) Math.ceil(values.length * 0.99) - 1], values[values.length - 1]);
      });
      System.out.println("\ncoordinator plans:");
      explain(coordinator, PAGE.formatted("events", WINDOW));
      explain(coordinator, "SELECT count(*) FROM events WHERE " + WINDOW);
    } finally {
      fanOut.shutdownNow();
    }
  }

  /**
   * The coordinator: {@code postgres_fdw} servers for shards a and b, and {@code events}
   * hash-partitioned on {@code correlation_id} with one foreign partition per shard, columns as the
   * shards' {@code audit_events}.
   */
  private static void setUpCoordinator(Connection coordinator, Connection shardA, int port) throws SQLException {
    String columns;
    try (Statement s = shardA.createStatement(); ResultSet rs = s.executeQuery("SELECT string_agg(quote_ident(attname)"
        + " || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute"
        + " WHERE attrelid = 'audit_events'::regclass AND attnum > 0 AND NOT attisdropped")) {
      rs.next();
      columns = rs.getString(1);
    }
    try (Statement s = coordinator.createStatement()) {
      s.execute("CREATE EXTENSION postgres_fdw");
      s.execute("CREATE TABLE events (" + columns + ") PARTITION BY HASH (correlation_id)");
      int remainder = 0;
      for (String shard : List.of("a", "b")) {
        s.execute("CREATE SERVER shard_" + shard + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1',"
            + " port '" + port + "', dbname 'shard_" + shard + "', async_capable 'true', use_remote_estimate 'true')");
        s.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER shard_" + shard + " OPTIONS (user 'postgres')");
        s.execute("CREATE FOREIGN TABLE events_" + shard + " PARTITION OF events FOR VALUES WITH (MODULUS 2, REMAINDER "
            + remainder++ + ") SERVER shard_" + shard + " OPTIONS (table_name 'audit_events')");
      }
      s.execute("SET enable_partitionwise_aggregate = on");
      s.execute("SET enable_async_append = on");
    }
  }

  @FunctionalInterface
  private interface Read {
    long run() throws Exception;
  }

  private static void time(Map<String, double[]> took, int i, int requests, String key, Read read) throws Exception {
    long started = System.nanoTime();
    long answered = read.run();
    double ms = (System.nanoTime() - started) / 1e6;
    if (i == 0) {
      System.out.printf("%s: %d%n", key, answered);
    }
    took.computeIfAbsent(key, k -> new double[requests])[i] = ms;
  }

  private static List<Row> rows(Connection c, String sql, Object... params) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int p = 0; p < params.length; p++) {
        ps.setObject(p + 1, params[p]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getTimestamp("event_timestamp").toInstant(), rs.getObject("event_id", UUID.class)));
        }
      }
    }
    return rows;
  }

  private static List<Row> merged(ExecutorService fanOut, List<Connection> shards, Object[] window) throws Exception {
    List<Future<List<Row>>> pages = new ArrayList<>();
    for (Connection shard : shards) {
      pages.add(fanOut.submit(() -> rows(shard, PAGE.formatted("audit_events", WINDOW), window)));
    }
    List<Row> all = new ArrayList<>();
    for (Future<List<Row>> page : pages) {
      all.addAll(page.get());
    }
    all.sort(ORDER);
    return all.subList(0, Math.min(50, all.size()));
  }

  private static long summed(ExecutorService fanOut, List<Connection> shards, Object[] window) throws Exception {
    List<Future<Long>> counts = new ArrayList<>();
    for (Connection shard : shards) {
      counts.add(fanOut.submit(() -> count(shard, "audit_events", window)));
    }
    long sum = 0;
    for (Future<Long> count : counts) {
      sum += count.get();
    }
    return sum;
  }

  private static long count(Connection c, String table, Object[] window) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + WINDOW)) {
      for (int p = 0; p < window.length; p++) {
        ps.setObject(p + 1, window[p]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void explain(Connection c, String sql) throws SQLException {
    Instant at = Instant.now().minus(Duration.ofHours(12));
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN (VERBOSE ON, COSTS OFF) " + sql)) {
      ps.setObject(1, Timestamp.from(at));
      ps.setObject(2, Timestamp.from(at.plus(Duration.ofMinutes(10))));
      ps.setObject(3, date(at));
      ps.setObject(4, date(at.plus(Duration.ofMinutes(10))));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          System.out.println("  " + rs.getString(1));
        }
      }
    }
  }

  private static LocalDate date(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  private static byte[] bytes(UUID id) {
    return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
  }
}
