package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.testkit.kafka.KafkaCluster;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ingest throughput, direct vs Kafka mode (docs/SCALE.md, docs/BENCHMARKS.md §11): the same
 * pre-built batches of 1 000 events (~300-byte {@code event_data}, 100 correlations a batch) sent by
 * 4 threads to one ingest node, measured two ways — <b>accepted</b>: until every batch was
 * answered 201; <b>stored</b>: until every event is in {@code audit_events} (for the direct path the
 * same moment). Modes, interleaved within each round: {@code direct}; {@code kafka-1w}: an ingest
 * node appending to a 3-broker KRaft cluster (4 partitions, replication 3, {@code
 * min.insync.replicas=2}) and one writer; {@code kafka-2w}: the same with two writers. Everything —
 * brokers, PostgreSQL, nodes, senders — shares this machine's cores, as a one-machine test must.
 *
 * <p>A first round of 20 000 events per mode warms the JIT up and is not counted. Each measurement gets a fresh database on one durable embedded PostgreSQL (fsync, synchronous
 * commit) and, in Kafka mode, a fresh topic and group on one cluster started for the run.
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.KafkaThroughput [rounds] [events]}
 */
public final class KafkaThroughput {
  private static final int BATCH = 1_000;
  private static final int SENDERS = 4;
  private static final int PARTITIONS = 4;
  private static final String PAYLOAD = "x".repeat(270);
  private static final int WARM_UP_EVENTS = 20_000;
  private static final String[] MODES = {"direct", "kafka-1w", "kafka-2w"};

  /**
   * One measurement: seconds until every batch was answered, and until every event was stored; and
   * the CPU seconds each part used meanwhile — this JVM (senders, ingest node, writers), the Kafka
   * brokers, PostgreSQL — which is what says where a one-machine run's time went.
   */
  private record Result(double acceptedSeconds, double storedSeconds, CpuSeconds cpu) {}

  private record CpuSeconds(double auditflow, double kafka, double postgres) {
    static CpuSeconds now() {
      double kafka = 0;
      double postgres = 0;
      // The brokers are this JVM's children; the embedded PostgreSQL's postmaster is not (pg_ctl
      // starts it), so its processes are found by where their binary lives.
      for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
        if (p.info().command().orElse("").endsWith("java")) {
          kafka += cpu(p);
        }
      }
      for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
        if (p.info().command().orElse("").contains("/embedded-pg/")) {
          postgres += cpu(p);
        }
      }
      double self = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
      return new CpuSeconds(self, kafka, postgres);
    }

    private static double cpu(ProcessHandle p) {
      return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    CpuSeconds minus(CpuSeconds before) {
      return new CpuSeconds(auditflow - before.auditflow, kafka - before.kafka, postgres - before.postgres);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Map<String, List<Result>> results = new LinkedHashMap<>();
    AtomicInteger runs = new AtomicInteger();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("auditflow-bench-pg")).setCleanDataDirectory(true)
            .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on").setServerConfig("max_wal_size", "4GB").start();
        KafkaCluster kafka = KafkaCluster.start(Files.createTempDirectory("auditflow-bench-kafka"), 3)) {
      for (int round = 0; round <= rounds; round++) {
        for (String mode : MODES) {
          String run = "run_" + runs.incrementAndGet();
          try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
              Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + run);
          }
          String db = postgres.getJdbcUrl("postgres", run);
          Result r = measure(mode, run, db, kafka, round == 0 ? WARM_UP_EVENTS : events);
          if (round == 0) {
            continue; // the JIT's warm-up, for every mode's code: not counted
          }
          results.computeIfAbsent(mode, m -> new ArrayList<>()).add(r);
          System.out.printf("round %d %-8s: %d events accepted in %.2f s (%.0f ev/s), stored in %.2f s (%.0f ev/s);"
                  + " CPU s: auditflow %.1f, kafka %.1f, postgres %.1f%n", round, mode, events, r.acceptedSeconds(),
              events / r.acceptedSeconds(), r.storedSeconds(), events / r.storedSeconds(), r.cpu().auditflow(),
              r.cpu().kafka(), r.cpu().postgres());
        }
      }
    }
    System.out.println();
    System.out.println("| mode | accepted ev/s min / median / max | stored ev/s min / median / max |");
    System.out.println("|---|---|---|");
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      System.out.printf("| %s | %s | %s |%n", e.getKey(),
          spread(e.getValue().stream().mapToDouble(r -> events / r.acceptedSeconds()).sorted().toArray()),
          spread(e.getValue().stream().mapToDouble(r -> events / r.storedSeconds()).sorted().toArray()));
    }
  }

  private static String spread(double[] sorted) {
    return String.format("%.0f / %.0f / %.0f", sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1]);
  }

  private static Result measure(String mode, String run, String db, KafkaCluster kafka, int events) throws Exception {
    ServerConfig.Builder ingestConfig = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db).poolSize(4);
    KafkaSettings settings = null;
    int writers = mode.equals("kafka-2w") ? 2 : mode.equals("kafka-1w") ? 1 : 0;
    if (writers > 0) {
      String topic = "bench." + run;
      kafka.createTopic(topic, PARTITIONS, 3, 2);
      settings = new KafkaSettings(kafka.bootstrapServers(), topic, "bench-" + run,
          KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
      ingestConfig.kafka(settings);
    }
    List<AuditServer> started = new ArrayList<>();
    try {
      AuditServer ingest = AuditServer.start(ingestConfig.build());
      started.add(ingest);
      for (int w = 0; w < writers; w++) {
        started.add(AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db).poolSize(4)
            .kafka(settings).kafkaWriter(true).build()));
      }
      String token = ingest.apiTokens().create("bench", EnumSet.of(Role.WRITER), null, "bench").secret();
      List<String> batches = batches(run, events);
      URI uri = URI.create("http://127.0.0.1:" + ingest.port() + "/api/v1/audit/events/batch");
      HttpClient http = HttpClient.newHttpClient();
      AtomicInteger next = new AtomicInteger();
      ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
      CpuSeconds cpuBefore = CpuSeconds.now();
      long start = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < SENDERS; t++) {
        done.add(senders.submit(() -> {
          for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batches.get(i)))
                .build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
              throw new IllegalStateException("batch " + i + ": " + answer.statusCode() + " " + answer.body());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      long accepted = System.nanoTime();
      senders.shutdown();
      try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
        while (count(s) < events) {
          Thread.sleep(20);
        }
      }
      long stored = System.nanoTime();
      return new Result((accepted - start) / 1e9, (stored - start) / 1e9, CpuSeconds.now().minus(cpuBefore));
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).close();
      }
    }
  }

  private static long count(Statement s) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The run's batches as JSON, built before the clock starts: the senders only send. */
  private static List<String> batches(String run, int events) throws Exception {
    List<String> batches = new ArrayList<>();
    Instant now = Instant.now();
    for (int b = 0; b * BATCH < events; b++) {
      var batch = AuditEventJson.mapper().createArrayNode();
      for (int i = 0; i < BATCH; i++) {
        batch.add(AuditEventJson.toTree(AuditEvent.builder().eventType("bench.kafka").eventTimestamp(now).eventCategory("bench")
            .eventAction("store").eventOutcome(EventOutcome.SUCCESS).correlationId(run + "-" + (i % 100))
            .eventData(Map.of("payload", PAYLOAD, "i", b * BATCH + i)).build()));
      }
      batches.add(batch.toString());
    }
    return batches;
  }

  private KafkaThroughput() {}
}
