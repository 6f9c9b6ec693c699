package dev.auditflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.cli.jar.DeployedMetrics;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.cli.jar.PostgresProcess;
import dev.auditflow.client.AuditStore;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.testkit.kafka.KafkaCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Kafka mode from the built jar (docs/SCALE.md), with real processes and real faults: a 3-broker
 * KRaft cluster (the topic made by {@code auditflow kafka init}: replicated 3 times, {@code
 * min.insync.replicas=2}), two ingest nodes ({@code serve --kafka-bootstrap}) and two writers
 * ({@code worker}) on one PostgreSQL server of the test's own, so it can be stopped. Each fault
 * runs under a stream of batches sent to both ingest nodes, re-sent to the other node when one
 * fails as a client would, and ends with the fault suite's ledger: every acknowledged event is
 * stored exactly once, and the chains verify.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JarKafkaIT {
  private static final String TOPIC = "auditflow.events";
  private static final Duration START = Duration.ofMinutes(2);
  private static KafkaCluster kafka;
  private static PostgresProcess pg;
  private static String db;
  private static Path work;
  private static final List<JarProcess> ingest = new ArrayList<>();
  private static final List<URI> ingestUris = new ArrayList<>();
  private static final JarProcess[] writers = new JarProcess[2];
  private static String admin;
  private static URI[] writerUris;

  @BeforeAll
  static void start() throws Exception {
    work = Files.createTempDirectory("auditflow-jar-kafka");
    // PostgreSQL starts while the brokers do.
    int pgPort = RedisServerProcess.freePort();
    CompletableFuture<PostgresProcess> postgres = CompletableFuture.supplyAsync(
        () -> new PostgresProcess(work.resolve("pg"), pgPort).start());
    kafka = KafkaCluster.start(work.resolve("kafka"), 3);
    JarProcess init = JarProcess.of(Files.createDirectories(work.resolve("init")), "kafka", "init",
        "--kafka-bootstrap", kafka.bootstrapServers(), "--partitions", "4");
    assertThat(init.run(START)).as(init.output()).isZero();
    assertThat(init.output()).contains("created topic auditflow.events: 4 partitions, replication factor 3,"
        + " min.insync.replicas=2, retention 604800000 ms");
    pg = postgres.join();
    db = pg.jdbcUrl();
    // The first node migrates the database and writes the first admin token; the others start together.
    startIngest(0);
    admin = Files.readString(work.resolve("node-0/auditflow-data/admin.token")).trim();
    // The rest start together: four JVMs' start-up overlaps.
    startIngest(1);
    writerUris = new URI[2];
    for (int i = 0; i < 2; i++) {
      writerUris[i] = launchWriter(i);
    }
    ingest.get(1).awaitHttp200(ingestUris.get(1), "/health/ready", START);
    for (int i = 0; i < 2; i++) {
      writers[i].awaitHttp200(writerUris[i], "/health/ready", START);
    }
  }

  private static void startIngest(int i) throws Exception {
    Path dir = Files.createDirectories(work.resolve("node-" + i));
    int port = RedisServerProcess.freePort();
    JarProcess node = JarProcess.of(dir, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--kafka-bootstrap", kafka.bootstrapServers()).start();
    URI uri = URI.create("http://127.0.0.1:" + port);
    ingest.add(node);
    ingestUris.add(uri);
    if (i == 0) {
      node.awaitHttp200(uri, "/health/ready", START);
    }
  }

  /** Starts writer {@code i} ({@code auditflow worker}) and returns where it answers. */
  private static URI launchWriter(int i) throws Exception {
    Path dir = Files.createDirectories(work.resolve("writer-" + i));
    int port = RedisServerProcess.freePort();
    writers[i] = JarProcess.of(dir, "worker", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--kafka-bootstrap", kafka.bootstrapServers()).start();
    return URI.create("http://127.0.0.1:" + port);
  }

  @AfterAll
  static void stop() throws Exception {
    for (JarProcess p : ingest) {
      p.close();
    }
    for (JarProcess w : writers) {
      if (w != null) {
        w.close();
      }
    }
    if (kafka != null) {
      kafka.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  /**
   * Batches sent in turn to both ingest nodes; a batch that fails (an error, or no answer from a
   * node that died mid-request) is re-sent with the same event ids to the other node, as a client
   * would.
   */
  private static final class Stream {
    /** The stream's correlations: {@code <prefix>-0} to {@code <prefix>-9}. */
    static final int CHAINS = 10;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger resent = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final String prefix;
    final List<URI> nodes;
    /** The token the batches are sent with: the suite's admin, or another node's. */
    String token = admin;

    Stream(String prefix) {
      this(prefix, ingestUris);
    }

    Stream(String prefix, List<URI> nodes) {
      this.prefix = prefix;
      this.nodes = nodes;
    }

    /** One batch of 20 events over 10 correlations; its ids count as acknowledged only on 201. */
    void sendOne() throws Exception {
      int n = batches.getAndIncrement();
      ArrayNode batch = AuditEventJson.mapper().createArrayNode();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ObjectNode event = EventJson.valid(prefix + "-" + (i % CHAINS));
        ids.add(event.get("event_id").asText());
        batch.add(event);
      }
      for (int attempt = 0; attempt < 4; attempt++) {
        if (attempt > 0) {
          resent.incrementAndGet();
        }
        try {
          HttpResponse<String> answer = new JarApi(nodes.get((n + attempt) % nodes.size()), token).call("POST",
              "/api/v1/audit/events/batch", batch.toString());
          if (answer.statusCode() == 201) {
            acknowledged.addAll(ids);
            return;
          }
        } catch (IOException e) {
          // The node died with the request in flight: its outcome is unknown, so the batch goes again.
        }
      }
      refused.incrementAndGet();
    }

    /** Each of the stream's chains verifies, asked of {@code api}'s node. */
    void assertChainsVerify(JarApi api) throws Exception {
      for (int c = 0; c < CHAINS; c++) {
        JsonNode verified = AuditEventJson.mapper().readTree(api.call("POST", "/api/v1/audit/verify",
            "{\"correlation_id\":\"" + prefix + "-" + c + "\"}").body());
        assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
      }
    }

    /** Sends batches until {@code duration} has passed. */
    void sendFor(Duration duration) throws Exception {
      long end = System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        sendOne();
      }
    }
  }

  @Test
  @Order(2)
  void theSeedsBurstThroughKafkaWithLoadIsStoredExactly() throws Exception {
    // The seed's burst: 50 threads x 10 events at once, client buffer 100, batches of 10.
    JarProcess load = JarProcess.of(Files.createDirectories(work.resolve("load")), "load", "--url",
        ingestUris.get(1).toString(), "--token", admin, "--threads", "50", "--events-per-thread", "10",
        "--buffer-size", "100", "--batch-size", "10", "--flush-interval", "1s", "--verify", "--json");
    assertThat(load.run(Duration.ofMinutes(2))).as(load.output()).isZero();
    JsonNode report = AuditEventJson.mapper().readTree(load.output().lines()
        .filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
    assertThat(report.get("acknowledged").asLong()).isEqualTo(500);
    assertThat(report.get("stored").asLong()).as("--verify waited for the writers").isEqualTo(500);
    assertThat(report.get("duplicates").asLong()).isZero();
    assertThat(report.get("lost_unreported").asLong()).isZero();

    // What the deploy files' Kafka alerts and dashboard panel read (DeployFilesIT checks the rest).
    Set<String> exported = new java.util.TreeSet<>();
    for (URI writer : writerUris) {
      exported.addAll(DeployedMetrics.sampleNames(new JarApi(writer, admin).call("GET", "/metrics", null).body()));
    }
    assertThat(exported).containsAll(DeployedMetrics.KAFKA_MODE);
  }

  @Test
  @Order(7) // last: it leaves one ingest node
  void anIngestNodeKilledMidRequestLosesNothingTheClientsResend() throws Exception {
    Stream stream = new Stream("jar-kafka-ingest-kill");
    AtomicReference<Exception> failed = new AtomicReference<>();
    Thread sender = new Thread(() -> {
      try {
        stream.sendFor(Duration.ofSeconds(4));
      } catch (Exception e) {
        failed.set(e);
      }
    });
    sender.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> stream.acknowledged.size() >= 200);
    ingest.get(1).kill(); // SIGKILL with a request in flight, or about to be
    sender.join();
    assertThat(failed.get()).isNull();
    assertThat(stream.refused.get()).as("every batch answered 201 by one node or the other").isZero();
    assertLedger(stream);
  }

  @Test
  @Order(6)
  void postgresStoppedForThirtySecondsIngestKeepsAcceptingAndTheWritersCatchUp() throws Exception {
    Stream stream = new Stream("jar-kafka-pg-stop");
    for (int i = 0; i < 10; i++) {
      stream.sendOne();
    }
    pg.stopFast();
    long stopped = System.nanoTime();
    // Ready but degraded: Kafka takes events, the database is down (load balancers keep sending).
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      JsonNode ready = readiness(ingestUris.get(0));
      return ready.path("status").asText().equals("DEGRADED") && ready.path("kafka").asText().equals("up");
    });
    stream.sendFor(Duration.ofSeconds(30).minusNanos(System.nanoTime() - stopped));
    assertThat(stream.refused.get()).as("ingest answered 201 throughout the outage").isZero();
    assertThat(stream.resent.get()).as("not even a retry was needed").isZero();
    pg.start();
    long restarted = System.nanoTime();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> storedOf(stream.acknowledged) == stream.acknowledged.size());
    long recovery = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
    System.out.printf("postgres stopped %d s: %d events accepted meanwhile, all stored %d ms after it started%n",
        TimeUnit.NANOSECONDS.toSeconds(restarted - stopped), stream.acknowledged.size(), recovery);
    await().atMost(Duration.ofSeconds(10)).until(() -> readiness(ingestUris.get(0)).path("ingest_lag").asLong(-1) == 0);
    assertLedger(stream);
  }

  private static JsonNode readiness(URI node) throws Exception {
    return AuditEventJson.mapper().readTree(new JarApi(node, admin).call("GET", "/health/ready", null).body());
  }

  @Test
  @Order(4) // it leaves one writer
  void aWriterKilledMidStreamLosesNothingAndStoresNothingTwice() throws Exception {
    Stream stream = new Stream("jar-kafka-writer-kill");
    for (int i = 0; i < 60; i++) {
      stream.sendOne();
    }
    writers[0].kill(); // SIGKILL mid-stream: its partitions move to the other writer
    for (int i = 0; i < 60; i++) {
      stream.sendOne();
    }
    assertLedger(stream);
  }

  /**
   * No writer at all for a while: ingest does not need one (Kafka holds what it acknowledged), and
   * one writer restarted alone resumes every partition from the offsets stored with the rows — its
   * dead peer's too, once the group has given up on it.
   */
  @Test
  @Order(5) // after writer 0's kill; it leaves writer 0, restarted
  void bothWritersKilledAndOneRestartedStoresEverythingOnce() throws Exception {
    Stream stream = new Stream("jar-kafka-both-writers");
    for (int i = 0; i < 30; i++) {
      stream.sendOne();
    }
    writers[1].kill(); // writer 0 was killed before: no writer is left
    for (int i = 0; i < 30; i++) {
      stream.sendOne();
    }
    assertThat(stream.refused.get()).as("ingest answers 201 without any writer").isZero();
    writerUris[0] = launchWriter(0);
    writers[0].awaitHttp200(writerUris[0], "/health/ready", START);
    for (int i = 0; i < 30; i++) {
      stream.sendOne();
    }
    assertLedger(stream);
  }

  @Test
  @Order(3)
  void theLeaderOfABusyPartitionKilledAndRestartedLosesNothing() throws Exception {
    Stream stream = new Stream("jar-kafka-leader-kill");
    for (int i = 0; i < 40; i++) {
      stream.sendOne();
    }
    int leader = kafka.leaderOf(TOPIC, 0);
    kafka.kill(leader); // SIGKILL: partition 0 elects a new leader among the in-sync replicas
    for (int i = 0; i < 40; i++) {
      stream.sendOne();
    }
    // It comes back while the stream goes on, and catches up as a follower.
    CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
      try {
        kafka.restart(leader);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (int i = 0; i < 40; i++) {
      stream.sendOne();
    }
    restarted.join();
    assertLedger(stream);
  }

  @Test
  @Order(1)
  void theSeedsTrickleThroughKafkaIsQueryableWithinASecondAndAHalf() throws Exception {
    // The seed's trickle: 5 events/s, buffer 100, batches of 10, flush interval 1 s, for 20 s.
    int events = 100;
    long period = TimeUnit.MILLISECONDS.toNanos(200);
    try (AuditStore store = AuditStore.builder().endpoint(ingestUris.get(0)).bearerToken(admin).bufferSize(100)
        .batchSize(10).flushInterval(Duration.ofSeconds(1)).build()) {
      // Steady state is measured: one batch first takes the processes' first-use costs (class loading,
      // the JIT, the writer's first fetch), which §7 of docs/BENCHMARKS.md measures on its own.
      for (int i = 0; i < 10; i++) {
        store.store(trickleEvent("jar-kafka-warm-up-0", i));
      }
      store.flush(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(60)).until(() -> storedRows("jar-kafka-warm-up") == 10);
      long next = System.nanoTime();
      for (int i = 0; i < events; i++) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        next += period;
        store.store(trickleEvent("jar-kafka-trickle-" + (i % 5), i));
      }
      store.flush(Duration.ofSeconds(30));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> storedRows("jar-kafka-trickle") == events);
    // Emit -> queryable: the writer's received_at (its commit follows within the transaction) minus the emit time.
    List<Long> millis = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db); PreparedStatement ps = c.prepareStatement(
        "SELECT (extract(epoch FROM received_at - event_timestamp) * 1000)::bigint FROM audit_events"
            + " WHERE correlation_id LIKE 'jar-kafka-trickle-%' ORDER BY event_timestamp")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          millis.add(rs.getLong(1));
        }
      }
    }
    System.out.println("kafka trickle, emit->queryable in emission order (ms): " + millis);
    millis.sort(null);
    long p50 = millis.get(events / 2 - 1);
    long p99 = millis.get((int) Math.ceil(events * 0.99) - 1);
    System.out.printf("kafka trickle: emit->queryable p50 %d ms, p99 %d ms, max %d ms (n=%d)%n", p50, p99,
        millis.get(millis.size() - 1), millis.size());
    // Each batch of 10 takes 2 s to fill, so it leaves at its oldest event's 1 s deadline: p99 near 1 s, not below.
    assertThat(p99).as("p99 of %s", millis).isBetween(950L, 1_500L);
  }

  /**
   * The PostgreSQL primary lost while its asynchronous streaming replica lags, and the replica
   * promoted (docs/SCALE.md, "Failover"). One node ({@code serve --kafka-writer
   * --replicated-checkpoints}, its own topic and group) on a primary whose events commit locally
   * ({@code synchronous_commit = local}) and whose standby is named synchronous, so that only the
   * log's checkpoints wait for it. The standby is cut off mid-stream; events keep being acknowledged
   * (Kafka holds them, the primary stores them) while no checkpoint the standby lacks becomes
   * visible; a witness keeps the last one it sees. Then the primary is SIGKILLed, the standby
   * promoted and the node restarted on it: it re-writes from Kafka what the standby missed (the
   * offsets are in the same transactions as the rows), every acknowledged event is stored once, the
   * chains verify, and the witness finds the new checkpoint consistent with the one it kept.
   */
  @Test
  @Order(8)
  void thePrimaryLostWhileItsReplicaLagsAndTheReplicaPromotedLosesNothingAndForksNoWitness() throws Exception {
    Path dir = Files.createDirectories(work.resolve("failover"));
    int primaryPort = RedisServerProcess.freePort();
    PostgresProcess primary = new PostgresProcess(dir.resolve("primary"), primaryPort).start();
    StreamingReplica replica = null;
    JarProcess node = null;
    try {
      String primaryDb = primary.createDatabase("failover");
      execute(primary.jdbcUrl(), "ALTER DATABASE failover SET synchronous_commit = local");
      replica = StreamingReplica.of(primary, dir.resolve("primary"), primaryPort, dir.resolve("replica"));
      execute(primary.jdbcUrl(), "ALTER SYSTEM SET synchronous_standby_names = '" + StreamingReplica.NAME + "'",
          "SELECT pg_reload_conf()");
      JarProcess init = JarProcess.of(dir, "kafka", "init", "--kafka-bootstrap", kafka.bootstrapServers(),
          "--kafka-topic", "auditflow.failover", "--partitions", "2");
      assertThat(init.run(START)).as(init.output()).isZero();
      int port = RedisServerProcess.freePort();
      URI uri = URI.create("http://127.0.0.1:" + port);
      node = failoverNode(dir, port, primaryDb).start();
      node.awaitHttp200(uri, "/health/ready", START);
      JarApi api = new JarApi(uri, admin(dir));
      Stream stream = new Stream("jar-kafka-failover", List.of(uri));
      stream.token = api.token();

      // Before the fault: stored, integrated, replicated; the witness keeps a checkpoint.
      for (int i = 0; i < 10; i++) {
        stream.sendOne();
      }
      String replicaDb = replica.jdbcUrl("failover");
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> count(replicaDb, "SELECT count(*) FROM log_tree_leaves") >= stream.acknowledged.size());
      String key = AuditEventJson.mapper().readTree(api.call("GET", "/api/v1/log/key", null).body())
          .get("verifier_key").asText();
      Path kept = dir.resolve("witness/checkpoint");
      Files.createDirectories(kept.getParent());
      witness(dir, uri, api.token(), kept, key, "TRUSTED: first checkpoint kept");

      // The standby cut off; the primary goes on storing what Kafka delivers.
      replica.sever();
      stream.sendFor(Duration.ofSeconds(3));
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> count(primaryDb, "SELECT count(*) FROM audit_events WHERE correlation_id LIKE"
              + " 'jar-kafka-failover-%'") == stream.acknowledged.size());
      long onReplica = count(replicaDb, "SELECT count(*) FROM audit_events WHERE correlation_id LIKE"
          + " 'jar-kafka-failover-%'");
      assertThat(onReplica).as("the standby lags: it lacks acknowledged events").isLessThan(stream.acknowledged.size());
      // No checkpoint the standby lacks is visible: the witness sees none newer than the standby's tree.
      witness(dir, uri, api.token(), kept, key, "CONSISTENT");
      long witnessed = treeSize(Files.readString(kept));
      long replicaTree = count(replicaDb, "SELECT tree_size FROM log_state");
      assertThat(witnessed).as("the witness's tree is one the standby holds").isLessThanOrEqualTo(replicaTree);
      assertThat(witnessed).as("the primary's newer events were stored but never signed")
          .isLessThan(stream.acknowledged.size());

      // The primary lost; the standby promoted; the node restarted on it.
      primary.kill();
      node.kill();
      replica.promote();
      node = failoverNode(dir, port, replicaDb).start();
      node.awaitHttp200(uri, "/health/ready", START);
      // No synchronous standby behind the promoted one yet: the operator is told checkpoints are local.
      assertThat(node.output()).contains("log_checkpoints_unreplicated");
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .until(() -> count(replicaDb, "SELECT count(*) FROM audit_events WHERE correlation_id LIKE"
              + " 'jar-kafka-failover-%'") == stream.acknowledged.size());
      System.out.printf("failover: %d events acknowledged, %d on the standby when it was promoted, witness at %d leaves%n",
          stream.acknowledged.size(), onReplica, witnessed);
      assertThat(storedOf(replicaDb, stream.acknowledged)).isEqualTo(stream.acknowledged.size());
      stream.assertChainsVerify(api);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> count(replicaDb, "SELECT tree_size FROM log_state") >= stream.acknowledged.size() + 0L
              && count(replicaDb, "SELECT count(*) FROM log_queue") == 0);
      witness(dir, uri, api.token(), kept, key, "CONSISTENT");
      assertThat(treeSize(Files.readString(kept))).isGreaterThan(witnessed);
    } finally {
      if (node != null) {
        node.close();
      }
      if (replica != null) {
        replica.close();
      }
      primary.close();
    }
  }

  /**
   * Three shards behind Kafka (docs/SCALE.md, "Shards"): a catalog and shard a on the suite's
   * PostgreSQL server, shards b and c on servers of their own; two ingest nodes and two writers,
   * every one a process of the jar, on a topic of their own with 6 partitions. Batches go to both
   * ingest nodes; shard b's server is stopped for real mid-stream: ingest keeps answering 201 (Kafka
   * holds the events), a count over every shard answers 503 naming b while a correlation on a still
   * reads, and once b is started again its partitions catch up: every acknowledged event stored
   * exactly once, on its correlation's shard only, the chains verifying, the lag 0.
   */
  @Test
  @Order(9)
  void threeShardsBehindTwoIngestNodesAndTwoWritersOneShardStoppedLosesNothing() throws Exception {
    Path dir = Files.createDirectories(work.resolve("shards"));
    int portB = RedisServerProcess.freePort();
    int portC = RedisServerProcess.freePort();
    CompletableFuture<PostgresProcess> startingB = CompletableFuture.supplyAsync(
        () -> new PostgresProcess(dir.resolve("pg-b"), portB).start());
    CompletableFuture<PostgresProcess> startingC = CompletableFuture.supplyAsync(
        () -> new PostgresProcess(dir.resolve("pg-c"), portC).start());
    List<JarProcess> nodes = new ArrayList<>();
    try {
      JarProcess init = JarProcess.of(dir, "kafka", "init", "--kafka-bootstrap", kafka.bootstrapServers(),
          "--kafka-topic", "auditflow.shards", "--partitions", "6");
      assertThat(init.run(START)).as(init.output()).isZero();
      String catalog = pg.createDatabase("shards_home");
      Map<String, String> shards = new java.util.LinkedHashMap<>();
      shards.put("a", pg.createDatabase("shard_a"));
      PostgresProcess clusterB = startingB.join();
      shards.put("b", clusterB.createDatabase("shard_b"));
      shards.put("c", startingC.join().createDatabase("shard_c"));
      List<String> shardArgs = new ArrayList<>();
      shards.forEach((name, url) -> shardArgs.addAll(List.of("--shard", name + "=" + url)));
      List<String> placeArgs = new ArrayList<>(List.of("shards", "init", "--database-url", catalog,
          "--kafka-topic", "auditflow.shards", "--partitions", "6"));
      placeArgs.addAll(shardArgs);
      JarProcess place = JarProcess.of(dir, placeArgs.toArray(String[]::new));
      assertThat(place.run(START)).as(place.output()).isZero();
      assertThat(place.output()).contains("placed topic auditflow.shards: partitions [0, 3] on a,"
          + " partitions [1, 4] on b, partitions [2, 5] on c");

      // The first ingest node writes the admin token; the other three processes start together.
      List<URI> ingestAt = new ArrayList<>();
      List<URI> writersAt = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String command = i < 2 ? "serve" : "worker";
        int port = RedisServerProcess.freePort();
        List<String> args = new ArrayList<>(List.of(command, "--host", "127.0.0.1", "--port", Integer.toString(port),
            "--database-url", catalog, "--kafka-bootstrap", kafka.bootstrapServers(), "--kafka-topic",
            "auditflow.shards", "--kafka-group", "auditflow-shards"));
        args.addAll(shardArgs);
        JarProcess node = JarProcess.of(Files.createDirectories(dir.resolve(command + "-" + i)),
            args.toArray(String[]::new)).start();
        nodes.add(node);
        URI uri = URI.create("http://127.0.0.1:" + port);
        (i < 2 ? ingestAt : writersAt).add(uri);
        if (i == 0) {
          node.awaitHttp200(uri, "/health/ready", START);
        }
      }
      for (int i = 1; i < 4; i++) {
        nodes.get(i).awaitHttp200(i < 2 ? ingestAt.get(i) : writersAt.get(i - 2), "/health/ready", START);
      }
      JarApi api = new JarApi(ingestAt.get(0), Files.readString(dir.resolve("serve-0/auditflow-data/admin.token")).trim());
      Stream stream = new Stream("jar-kafka-shards", ingestAt);
      stream.token = api.token();
      Placement placement = new Placement("auditflow.shards", List.of("a", "b", "c", "a", "b", "c"));
      Map<String, List<String>> correlationsOn = new java.util.TreeMap<>();
      for (int c = 0; c < Stream.CHAINS; c++) {
        correlationsOn.computeIfAbsent(placement.writtenTo(stream.prefix + "-" + c), s -> new ArrayList<>())
            .add(stream.prefix + "-" + c);
      }
      assertThat(correlationsOn).as("the stream's correlations reach every shard").containsOnlyKeys("a", "b", "c");

      for (int i = 0; i < 20; i++) {
        stream.sendOne();
      }
      clusterB.stopFast();
      long stopped = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        JsonNode ready = readiness(ingestAt.get(0));
        assertThat(ready.path("status").asText()).as(ready.toString()).isEqualTo("DEGRADED");
        assertThat(ready.path("shards").path("b").asText()).as(ready.toString()).isEqualTo("down");
        assertThat(ready.path("kafka").asText()).as(ready.toString()).isEqualTo("up");
      });
      for (int i = 0; i < 20; i++) {
        stream.sendOne();
      }
      HttpResponse<String> counted = api.call("GET", "/api/v1/audit/events/count?event_category=test", null);
      assertThat(counted.statusCode()).as("a count over a missing shard is an error: " + counted.body()).isEqualTo(503);
      assertThat(AuditEventJson.mapper().readTree(counted.body()).get("detail").asText())
          .startsWith("shard b is unavailable");
      String onA = correlationsOn.get("a").get(0);
      await().atMost(Duration.ofSeconds(30)).until(() -> countOf(api, "correlation_id=" + onA) > 0);
      assertThat(stream.refused.get()).as("ingest answered 201 while shard b was down").isZero();
      assertThat(stream.resent.get()).as("not even a retry was needed").isZero();
      long outage = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
      clusterB.start();
      long restarted = System.nanoTime();

      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
          .until(() -> countOf(api, "event_category=test") == stream.acknowledged.size());
      System.out.printf("shard b stopped %d ms: %d events acknowledged over 3 shards, all stored %d ms after it"
          + " started%n", outage, stream.acknowledged.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
      long stored = 0;
      for (Map.Entry<String, String> shard : shards.entrySet()) {
        stored += storedOf(shard.getValue(), stream.acknowledged);
        for (int c = 0; c < Stream.CHAINS; c++) {
          String correlation = stream.prefix + "-" + c;
          long rows = count(shard.getValue(), "SELECT count(*) FROM audit_events WHERE correlation_id = '"
              + correlation + "'");
          assertThat(rows > 0).as("%s on shard %s", correlation, shard.getKey())
              .isEqualTo(placement.writtenTo(correlation).equals(shard.getKey()));
        }
      }
      assertThat(stored).as("every acknowledged event stored once, over the three shards")
          .isEqualTo(stream.acknowledged.size());
      assertThat(count(catalog, "SELECT count(*) FROM audit_events WHERE correlation_id LIKE 'jar-kafka-shards-%'"))
          .as("none on the catalog").isZero();
      stream.assertChainsVerify(api);
      await().atMost(Duration.ofSeconds(30)).until(() -> readiness(ingestAt.get(1)).path("ingest_lag").asLong(-1) == 0
          && readiness(ingestAt.get(1)).path("status").asText().equals("UP"));
    } finally {
      for (JarProcess node : nodes) {
        node.close();
      }
      for (CompletableFuture<PostgresProcess> cluster : List.of(startingB, startingC)) {
        PostgresProcess started = cluster.exceptionally(e -> null).join();
        if (started != null) {
          started.close();
        }
      }
    }
  }

  private static long countOf(JarApi api, String query) throws Exception {
    HttpResponse<String> answer = api.call("GET", "/api/v1/audit/events/count?" + query, null);
    return answer.statusCode() == 200 ? AuditEventJson.mapper().readTree(answer.body()).get("count").asLong() : -1;
  }

  private static JarProcess failoverNode(Path dir, int port, String database) throws IOException {
    return JarProcess.of(Files.createDirectories(dir.resolve("node")), "serve", "--host", "127.0.0.1", "--port",
        Integer.toString(port), "--database-url", database, "--kafka-bootstrap", kafka.bootstrapServers(),
        "--kafka-topic", "auditflow.failover", "--kafka-group", "auditflow-failover", "--kafka-writer",
        "--replicated-checkpoints");
  }

  private static String admin(Path dir) throws IOException {
    return Files.readString(dir.resolve("node/auditflow-data/admin.token")).trim();
  }

  /** {@code auditflow log verify} as a witness: exit 0 and {@code expected} in its output. */
  private static void witness(Path dir, URI uri, String token, Path kept, String key, String expected) throws Exception {
    JarProcess witness = JarProcess.of(Files.createDirectories(dir.resolve("witness")),
        Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url", uri.toString(), "--checkpoint", kept.toString(),
        "--key", key);
    assertThat(witness.run(START)).as(witness.output()).isZero();
    assertThat(witness.output()).contains(expected);
  }

  private static long treeSize(String checkpointNote) {
    return Long.parseLong(checkpointNote.split("\n")[1]);
  }

  private static void execute(String url, String... sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  private static long count(String url, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(url); java.sql.Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static AuditEvent trickleEvent(String correlationId, int i) {
    return AuditEvent.builder().eventType("kafka.trickle").eventTimestamp(Instant.now()).eventCategory("test")
        .eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId(correlationId)
        .eventData(Map.of("i", i)).build();
  }

  /** Every acknowledged event stored exactly once (ids are unique in the store), and the chains verify. */
  private void assertLedger(Stream stream) throws Exception {
    assertThat(stream.acknowledged).as("batches answered 201 (of %d; %d refused)", stream.batches.get(),
        stream.refused.get()).isNotEmpty();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> storedOf(stream.acknowledged) == stream.acknowledged.size());
    assertThat(storedRows(stream.prefix)).as("nothing stored twice, nothing unacknowledged beyond refused batches")
        .isBetween((long) stream.acknowledged.size(), (long) stream.acknowledged.size() + 20L * stream.refused.get());
    stream.assertChainsVerify(new JarApi(ingestUris.get(0), admin));
    System.out.printf("%s: %d batches, %d events acknowledged and stored once, %d batches re-sent, %d refused%n",
        stream.prefix, stream.batches.get(), stream.acknowledged.size(), stream.resent.get(), stream.refused.get());
  }

  private static long storedOf(Set<String> ids) throws Exception {
    return storedOf(db, ids);
  }

  private static long storedOf(String database, Set<String> ids) throws Exception {
    try (Connection c = DriverManager.getConnection(database);
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_events WHERE event_id = ANY(?::uuid[])")) {
      ps.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long storedRows(String prefix) throws Exception {
    try (Connection c = DriverManager.getConnection(db);
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_events WHERE correlation_id LIKE ?")) {
      ps.setString(1, prefix + "-%");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
