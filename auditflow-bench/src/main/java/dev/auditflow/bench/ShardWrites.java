package dev.auditflow.bench;

import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.db.DatabaseSettings;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.shard.ShardSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Write throughput with one database, one shard and two shards, each shard its own PostgreSQL
 * cluster (docs/SCALE.md, "Shards"; docs/BENCHMARKS.md §17). One layout per JVM — the script in
 * BENCHMARKS.md runs the layouts interleaved, three forks each. A layout's clusters are fresh
 * embedded PostgreSQL servers ({@code fsync=on}); the node runs in this JVM and is loaded through
 * the HTTP batch endpoint by four senders (batches of 1 000 events in 2 000 correlations, so every
 * batch spans every shard). After a warm-up load, the measured load is timed, and the CPU time each
 * PostgreSQL cluster spent on it (its postmaster and every backend, from {@code /proc}) and this
 * JVM's (the node and the load generator) are read before and after: the per-shard cost that
 * docs/SCALE.md's capacity model needs. The JVM's CPU is also given by thread group ({@link
 * ThreadCpu}): where the node spends it.
 *
 * <p>{@code java -cp benchmarks.jar dev.auditflow.bench.ShardWrites <single|one-shard|two-shards> <events>}
 */
public final class ShardWrites {
  private static final int BATCH = 1_000;
  private static final int CORRELATIONS = 2_000;
  private static final int WARMUP = 50_000;
  private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/<pid>/stat's times on Linux

  private ShardWrites() {}

  public static void main(String[] args) throws Exception {
    String layout = args.length > 0 ? args[0] : "two-shards";
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    int clusters = switch (layout) {
      case "single", "one-shard" -> 1;
      case "two-shards" -> 2;
      default -> throw new IllegalArgumentException("layout: single, one-shard or two-shards, not " + layout);
    };
    List<EmbeddedPostgres> servers = new ArrayList<>();
    try {
      for (int i = 0; i < clusters; i++) {
        servers.add(EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("auditflow-bench-shard-writes"))
            .setCleanDataDirectory(true)
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("max_wal_size", "4GB")
            .start());
      }
      String catalog = createDatabase(servers.get(0), "catalog");
      Map<String, String> shards = new LinkedHashMap<>();
      if (!layout.equals("single")) {
        for (int i = 0; i < clusters; i++) {
          String name = String.valueOf((char) ('a' + i));
          shards.put(name, createDatabase(servers.get(i), "shard_" + name));
        }
        ShardSetup.init(new DatabaseSettings(catalog, 2, 1, Duration.ofSeconds(10), Duration.ofSeconds(60)),
            shards, KafkaSettings.DEFAULT_TOPIC, 12, new SimpleMeterRegistry());
      }
      try (AuditServer node = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(catalog)
          .poolSize(4).shards(shards).build())) {
        String token = node.apiTokens().create("bench", EnumSet.of(Role.WRITER), null, "bench").secret();
        HttpClient http = HttpClient.newHttpClient();
        load(http, node, token, WARMUP);
        List<Long> postmasters = servers.stream().map(ShardWrites::postmaster).toList();
        long[] clusterCpuBefore = postmasters.stream().mapToLong(ShardWrites::clusterCpuTicks).toArray();
        long jvmCpuBefore = jvmCpuNanos();
        ThreadCpu threadsBefore = ThreadCpu.now();
        long started = System.nanoTime();
        load(http, node, token, events);
        double seconds = (System.nanoTime() - started) / 1e9;
        double jvmCpu = (jvmCpuNanos() - jvmCpuBefore) / 1e9;
        Map<String, Long> byThread = ThreadCpu.now().since(threadsBefore);
        StringBuilder perCluster = new StringBuilder();
        double pgCpu = 0;
        for (int i = 0; i < clusters; i++) {
          double cpu = (double) (clusterCpuTicks(postmasters.get(i)) - clusterCpuBefore[i]) / CLOCK_TICKS_PER_SECOND;
          pgCpu += cpu;
          perCluster.append(String.format(" | cluster %d %.1f µs", i + 1, cpu * 1e6 / events));
        }
        System.out.printf("%s | %d events | %.1f s | %.0f events/s | node+load %.1f µs/event | PostgreSQL %.1f µs/event%s%n",
            layout, events, seconds, events / seconds, jvmCpu * 1e6 / events, pgCpu * 1e6 / events, perCluster);
        // Where the node's CPU went (threads that ended meanwhile are not counted: compare the sum).
        StringBuilder threads = new StringBuilder("  JVM CPU by thread, µs/event:");
        byThread.entrySet().stream().filter(t -> t.getValue() * 1e-3 / events >= 0.05)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .forEach(t -> threads.append(String.format(" %s %.2f;", t.getKey(), t.getValue() * 1e-3 / events)));
        System.out.println(threads.append(String.format(" (sum %.1f of %.1f)",
            byThread.values().stream().mapToLong(Long::longValue).sum() * 1e-3 / events, jvmCpu * 1e6 / events)));
      }
    } finally {
      for (EmbeddedPostgres server : servers) {
        server.close();
      }
    }
  }

  private static String createDatabase(EmbeddedPostgres server, String name) throws Exception {
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return server.getJdbcUrl("postgres", name);
  }

  /** Events in 2 000 correlations, now-ish, loaded by {@link ParallelLoad}'s four senders. */
  private static void load(HttpClient http, AuditServer node, String token, int events) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + node.port() + "/api/v1/audit/events/batch");
    Instant t0 = Instant.now();
    ParallelLoad.run(events, BATCH, (from, to) -> {
      StringBuilder json = new StringBuilder(400 * (to - from)).append('[');
      for (int n = from; n < to; n++) {
        json.append(n == from ? "" : ",").append("{\"event_id\":\"").append(UuidV7.generate())
            .append("\",\"event_type\":\"shard.write\",\"event_timestamp\":\"")
            .append(Timestamps.format(t0.plusMillis(n / 100))).append("\",\"event_category\":\"bench\"")
            .append(",\"event_action\":\"write\",\"event_outcome\":\"success\",\"correlation_id\":\"shard-write-")
            .append(n % CORRELATIONS).append("\",\"event_data\":{\"n\":").append(n).append("}}");
      }
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json.append(']').toString())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new IllegalStateException("load refused: " + r.statusCode() + " " + r.body());
      }
    });
  }

  /** The cluster's postmaster: the process the embedded server started on its data directory's port. */
  private static long postmaster(EmbeddedPostgres server) {
    String port = " -p " + server.getPort() + " ";
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> cmdline(p).contains(port) && cmdline(p).contains("postgres"))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
          .min().orElseThrow(() -> new IllegalStateException("no postmaster on port " + server.getPort()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
  }

  /** User + system ticks of the postmaster, its reaped children and its live ones (the backends). */
  private static long clusterCpuTicks(long postmaster) {
    long ticks = statTicks(postmaster, true);
    for (ProcessHandle child : ProcessHandle.of(postmaster).map(p -> p.children().toList()).orElse(List.of())) {
      ticks += statTicks(child.pid(), false);
    }
    return ticks;
  }

  private static long statTicks(long pid, boolean withReapedChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": field 3 is state, so utime (14), stime (15), cutime (16), cstime (17) are at 11..14
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return withReapedChildren ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
    } catch (IOException e) {
      return 0; // a backend that exited between the listing and the read (the pool keeps its connections open)
    }
  }

  private static String cmdline(Path proc) {
    try {
      return " " + Files.readString(proc.resolve("cmdline")).replace('\0', ' ') + " ";
    } catch (IOException e) {
      return "";
    }
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
