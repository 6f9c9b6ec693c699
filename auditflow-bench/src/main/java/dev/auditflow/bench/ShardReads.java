package dev.auditflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.db.DatabaseSettings;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.shard.ShardSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reads across shards against one database holding the same events (docs/SCALE.md, "Shards"): one
 * durable embedded PostgreSQL holds four databases — a catalog and two shards behind a sharded
 * node, and a single database behind a plain node — and both nodes are loaded with the same events
 * through the real write path. Then, interleaved request by request, each node answers the same
 * reads: a correlation's first page (one shard), a time window's first page (every shard, merged)
 * and a time window's count (summed). Prints p50/p99 per read and node, in milliseconds. Then the
 * same reads at the SQL level, fan-out against a {@code postgres_fdw} coordinator ({@link SpanDesigns}).
 *
 * <p>{@code java -cp benchmarks.jar dev.auditflow.bench.ShardReads <events per shard> <requests per read>}
 */
public final class ShardReads {
  private static final int BATCH = 1_000;
  private static final int CORRELATIONS = 2_000;
  private static final Duration SPREAD = Duration.ofHours(24);

  private record Node(String name, AuditServer server, String token) {}

  private ShardReads() {}

  public static void main(String[] args) throws Exception {
    int perShard = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int events = 2 * perShard;
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(Files.createTempDirectory("auditflow-bench-shards"))
        .setCleanDataDirectory(true)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_wal_size", "4GB")
        .start()) {
      Map<String, String> urls = new LinkedHashMap<>();
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        for (String db : List.of("catalog", "shard_a", "shard_b", "single", "coordinator")) {
          s.execute("CREATE DATABASE " + db);
          urls.put(db, postgres.getJdbcUrl("postgres", db));
        }
      }
      Map<String, String> shards = Map.of("a", urls.get("shard_a"), "b", urls.get("shard_b"));
      Placement placement = ShardSetup.init(new DatabaseSettings(urls.get("catalog"), 2, 1, Duration.ofSeconds(10),
          Duration.ofSeconds(60)), shards, KafkaSettings.DEFAULT_TOPIC, 12, new SimpleMeterRegistry()).placement();
      try (AuditServer sharded = start(urls.get("catalog"), shards);
          AuditServer single = start(urls.get("single"), Map.of())) {
        List<Node> nodes = List.of(node("sharded (2 shards)", sharded), node("one database", single));
        HttpClient http = HttpClient.newHttpClient();
        Instant t0 = Instant.now().minus(SPREAD);
        for (Node node : nodes) {
          long started = System.nanoTime();
          load(http, node, events, t0);
          System.out.printf("%s: loaded %d events in %.0f s%n", node.name(), events, (System.nanoTime() - started) / 1e9);
        }
        for (String db : urls.keySet()) {
          try (Connection c = java.sql.DriverManager.getConnection(urls.get(db)); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE"); // what autovacuum does within minutes of a load
          }
        }
        measure(http, nodes, requests, t0);
        SpanDesigns.measure(urls, postgres.getPort(), placement, requests, t0, SPREAD, CORRELATIONS);
      }
    }
  }

  private static AuditServer start(String jdbcUrl, Map<String, String> shards) {
    return AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(jdbcUrl).poolSize(4)
        .shards(shards).build());
  }

  private static Node node(String name, AuditServer server) {
    return new Node(name, server,
        server.apiTokens().create("bench", EnumSet.of(Role.WRITER, Role.READER), null, "bench").secret());
  }

  /** The same events on both nodes: event n at t0 + n × (24 h / events), in correlation n mod 2 000. */
  private static void load(HttpClient http, Node node, int events, Instant t0) throws Exception {
    ParallelLoad.run(events, BATCH, (from, to) -> {
      HttpResponse<String> r = send(http, node, HttpRequest.newBuilder(uri(node, "/api/v1/audit/events/batch"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(batch(from, to, events, t0))));
      if (r.statusCode() != 201) {
        throw new IllegalStateException("load refused: " + r.statusCode() + " " + r.body());
      }
    });
  }

  private static String batch(int from, int to, int events, Instant t0) {
    long stepNanos = SPREAD.toNanos() / events;
    StringBuilder json = new StringBuilder(400 * (to - from)).append('[');
    for (int n = from; n < to; n++) {
      json.append(n == from ? "" : ",").append("{\"event_id\":\"").append(UuidV7.generate())
          .append("\",\"event_type\":\"shard.read\",\"event_timestamp\":\"")
          .append(Timestamps.format(t0.plusNanos(n * stepNanos))).append("\",\"event_category\":\"bench\"")
          .append(",\"event_action\":\"read\",\"event_outcome\":\"success\",\"correlation_id\":\"shard-read-")
          .append(n % CORRELATIONS).append("\",\"event_data\":{\"n\":").append(n).append("}}");
    }
    return json.append(']').toString();
  }

  /** Each read on each node in turn, request by request, so that both see the same machine. */
  private static void measure(HttpClient http, List<Node> nodes, int requests, Instant t0) throws Exception {
    Random random = new Random(28);
    Map<String, double[]> took = new LinkedHashMap<>();
    for (int i = 0; i < requests; i++) {
      String correlation = "shard-read-" + random.nextInt(CORRELATIONS);
      Instant since = t0.plus(Duration.ofMinutes(random.nextInt((int) SPREAD.toMinutes() - 10)));
      String window = "since=" + encode(since) + "&until=" + encode(since.plus(Duration.ofMinutes(10)));
      Map<String, String> reads = new LinkedHashMap<>();
      reads.put("correlation, first page of 50", "/api/v1/audit/events?correlation_id=" + correlation + "&limit=50");
      reads.put("10-minute window, first page of 50", "/api/v1/audit/events?" + window + "&limit=50");
      reads.put("10-minute window, count", "/api/v1/audit/events/count?" + window);
      for (Map.Entry<String, String> read : reads.entrySet()) {
        for (Node node : nodes) {
          long started = System.nanoTime();
          HttpResponse<String> r = send(http, node, HttpRequest.newBuilder(uri(node, read.getValue())).GET());
          double ms = (System.nanoTime() - started) / 1e6;
          if (r.statusCode() != 200) {
            throw new IllegalStateException(read.getKey() + " on " + node.name() + ": " + r.statusCode() + " " + r.body());
          }
          if (i == 0) {
            JsonNode body = AuditEventJson.mapper().readTree(r.body());
            System.out.printf("%s on %s: %s%n", read.getKey(), node.name(),
                body.has("count") ? body.get("count") + " events" : body.get("data").size() + " events, total "
                    + body.path("pagination").path("total"));
          }
          took.computeIfAbsent(read.getKey() + " | " + node.name(), k -> new double[requests])[i] = ms;
        }
      }
    }
    System.out.println("\nread | node | p50 ms | p99 ms | max ms");
    took.forEach((key, values) -> {
      Arrays.sort(values);
      System.out.printf("%s | %.1f | %.1f | %.1f%n", key, values[values.length / 2],
          values[(int) Math.ceil(values.length * 0.99) - 1], values[values.length - 1]);
    });
  }

  private static String encode(Instant at) {
    return URLEncoder.encode(Timestamps.format(at), StandardCharsets.UTF_8);
  }

  private static URI uri(Node node, String path) {
    return URI.create("http://127.0.0.1:" + node.server().port() + path);
  }

  private static HttpResponse<String> send(HttpClient http, Node node, HttpRequest.Builder request) throws Exception {
    return http.send(request.header("Authorization", "Bearer " + node.token()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
