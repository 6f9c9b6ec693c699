package dev.auditflow.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.kubernaut.OgenDecoder;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.shard.ShardUnavailableException;
import dev.auditflow.server.shard.ShardedTrail;
import dev.auditflow.server.testing.CuttingProxy;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ShardedStores;
import dev.auditflow.server.trail.EventFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.auditflow.server.testing.TestDatabase;
import dev.auditflow.testkit.kafka.KafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka mode against a real 3-broker KRaft cluster (one for the class): the topic replicated 3
 * times with {@code min.insync.replicas=2}, an ingest node that answers once Kafka acknowledged,
 * and writers that store each partition exactly once with its offset in the same transaction.
 */
class KafkaModeTest {
  private static final String TOPIC = "auditflow.events";
  private static final int PARTITIONS = 4;
  private static KafkaCluster kafka;
  private static String db;
  private static AuditServer ingest;
  private static String token;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaCluster.start(Files.createTempDirectory("auditflow-kafka"), 3);
    kafka.createTopic(TOPIC, PARTITIONS, 3, 2);
    db = TestDatabase.create();
    ingest = AuditServer.start(config().build());
    token = ingest.apiTokens().create("kafka-test", EnumSet.of(Role.ADMIN), null, "test").secret();
  }

  private static ServerConfig.Builder config() {
    return ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db).poolSize(4)
        .kafka(KafkaSettings.of(kafka.bootstrapServers()));
  }

  @AfterAll
  static void stop() {
    if (ingest != null) {
      ingest.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (db != null) {
      TestDatabase.drop(db);
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String path) throws Exception {
    return AuditEventJson.mapper().readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + ingest.port() + path)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static long count(String correlationId) throws Exception {
    return get("/api/v1/audit/events/count?correlation_id=" + correlationId).get("count").asLong();
  }

  private static ArrayNode events(String correlation, int n) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(EventJson.valid(correlation));
    }
    return batch;
  }

  @Test
  void acceptedOnceKafkaHasThemStoredOnceByAWriterInChainOrder() throws Exception {
    ArrayNode batch = events("kafka-a", 30);
    batch.addAll(events("kafka-b", 20));
    HttpResponse<String> accepted = post("/api/v1/audit/events/batch", batch.toString());
    JsonNode answer = OgenDecoder.createAuditEventsBatch(accepted);
    assertThat(answer.get("status").asText()).isEqualTo("accepted");
    assertThat(answer.get("accepted").asInt()).isEqualTo(50);
    assertThat(answer.has("created")).as("not known until a writer stores them").isFalse();
    // The client resends (it never saw the answer, say): the writer stores each event once.
    assertThat(post("/api/v1/audit/events/batch", batch.toString()).statusCode()).isEqualTo(201);
    // No writer runs: every node sees the 100 records waiting (the other tests' writers stored theirs).
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/admin/kafka").path("lag").asLong() == 100);
    JsonNode ready = get("/health/ready");
    assertThat(ready.get("kafka").asText()).isEqualTo("up");
    assertThat(ready.get("ingest_lag").asLong()).isEqualTo(100);

    try (AuditServer writer = AuditServer.start(config().kafkaWriter(true).build())) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> count("kafka-a") == 30 && count("kafka-b") == 20);
      JsonNode verified = AuditEventJson.mapper().readTree(post("/api/v1/audit/verify",
          "{\"correlation_id\":\"kafka-a\"}").body());
      assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
      assertThat(verified.get("events_checked").asLong()).isEqualTo(30);
      // The chain's order is the request's: the events of one correlation share a partition.
      JsonNode page = get("/api/v1/audit/events?correlation_id=kafka-a&limit=100&order=asc");
      Set<String> sent = new HashSet<>();
      batch.forEach(e -> sent.add(e.get("event_id").asText()));
      page.get("data").forEach(e -> assertThat(sent).contains(e.get("event_id").asText()));
      assertThat(writer.kafkaWriter().lag().values()).allSatisfy(lag -> assertThat(lag).isZero());
      await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/admin/kafka").path("lag").asLong() == 0);
      JsonNode state = get("/api/v1/admin/kafka");
      assertThat(state.get("partitions")).hasSize(PARTITIONS).allSatisfy(p -> {
        assertThat(p.get("stored_offset").asLong()).isEqualTo(p.get("end_offset").asLong());
        assertThat(p.get("lag").asLong()).isZero();
      });
      assertThat(get("/api/v1/console/health").at("/ingest_log/lag").asLong()).isZero();
    }
    assertThat(storedOffsets()).as("every record stored, each partition's offset at its end").isEqualTo(endOffsets());
  }

  @Test
  void aRecordTheTrailRefusesIsKeptWithItsReasonAndTheRestIsStored() throws Exception {
    ObjectNode orphan = EventJson.valid("kafka-orphan");
    orphan.put("parent_event_id", UuidV7.generate().toString());
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    batch.add(EventJson.valid("kafka-orphan"));
    batch.add(orphan);
    batch.add(EventJson.valid("kafka-orphan"));
    assertThat(post("/api/v1/audit/events/batch", batch.toString()).statusCode())
        .as("the ingest node cannot know the parent is missing").isEqualTo(201);

    try (AuditServer writer = AuditServer.start(config().kafkaWriter(true).build())) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> rejection(orphan.get("event_id").asText()) != null);
      assertThat(rejection(orphan.get("event_id").asText())).isEqualTo("parent_not_found");
      await().atMost(Duration.ofSeconds(30)).until(() -> count("kafka-orphan") == 2);
      JsonNode rejections = get("/api/v1/admin/kafka").get("rejections");
      assertThat(rejections.get("total").asLong()).isEqualTo(1);
      JsonNode kept = rejections.get("recent").get(0);
      assertThat(kept.get("event_id").asText()).isEqualTo(orphan.get("event_id").asText());
      assertThat(kept.get("reason").asText()).isEqualTo("parent_not_found");
      assertThat(kept.get("ingested_by").asText()).isEqualTo("token:kafka-test");
    }
  }

  @Test
  void aWriterThatJoinsLaterResumesWhereTheTrailStandsAndTwoShareThePartitions() throws Exception {
    try (AuditServer first = AuditServer.start(config().kafkaWriter(true).build())) {
      assertThat(post("/api/v1/audit/events/batch", events("kafka-share-1", 40).toString()).statusCode()).isEqualTo(201);
      await().atMost(Duration.ofSeconds(60)).until(() -> count("kafka-share-1") == 40);
      try (AuditServer second = AuditServer.start(config().kafkaWriter(true).build())) {
        // A rebalance moves some partitions to the second writer: each resumes at the stored offset.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
            .until(() -> !second.kafkaWriter().lag().isEmpty() && first.kafkaWriter().lag().size() < PARTITIONS);
        for (int i = 0; i < 8; i++) {
          assertThat(post("/api/v1/audit/events/batch", events("kafka-share-2-" + i, 10).toString()).statusCode())
              .isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          long total = 0;
          for (int i = 0; i < 8; i++) {
            total += count("kafka-share-2-" + i);
          }
          return total == 80;
        });
      }
    }
    assertThat(count("kafka-share-1")).as("nothing stored twice across the rebalance").isEqualTo(40);
  }

  @Test
  void recordsKafkaDeletedBeforeAWriterStoredThemStopThePartitionInsteadOfBeingSkipped() throws Exception {
    String topic = "auditflow.hole-test";
    kafka.createTopic(topic, 1, 3, 2);
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), topic, "hole-writers",
        KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
    try (AuditServer node = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db).poolSize(4)
        .kafka(settings).build())) {
      String nodeToken = node.apiTokens().create("hole-test", EnumSet.of(Role.ADMIN), null, "test").secret();
      assertThat(send(node, nodeToken, events("kafka-hole", 10)).statusCode()).isEqualTo(201);
    }
    // Kafka's retention (here: an operator's deleteRecords) takes the first 5 before any writer stored them.
    TopicPartition partition = new TopicPartition(topic, 0);
    try (var admin = kafka.admin()) {
      admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(5))).all().get();
    }
    try (AuditServer writer = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(db)
        .poolSize(4).kafka(settings).kafkaWriter(true).build())) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> writer.kafkaWriter().holes().equals(Set.of(partition)));
      assertThat(writer.registry().get("auditflow.writer.holes").gauge().value()).isEqualTo(1.0);
      assertThat(count("kafka-hole")).as("neither the lost 5 nor the 5 after them: order is kept").isZero();
    }
  }

  @Test
  void withShardsEachPartitionIsStoredOnTheShardTheCatalogPlacesItOnWithItsOffset() throws Exception {
    String topic = "auditflow.sharded";
    kafka.createTopic(topic, PARTITIONS, 3, 2);
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), topic, "sharded-writers",
        KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
    try (ShardedStores stores = ShardedStores.create(topic, PARTITIONS, "a", "b");
        AuditServer node = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
            .jdbcUrl(stores.catalog()).poolSize(4).kafka(settings).kafkaWriter(true).shards(stores.shards()).build())) {
      Placement placement = stores.placement();
      String nodeToken = node.apiTokens().create("shard-test", EnumSet.of(Role.ADMIN), null, "test").secret();
      List<String> correlations = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        correlations.add("kafka-shard-" + i);
        assertThat(send(node, nodeToken, events(correlations.get(i), 25)).statusCode()).isEqualTo(201);
      }
      ShardedTrail sharded = (ShardedTrail) node.trail();
      EventFilter ours = new EventFilter(Map.of("event_category", "test"), null, null);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> sharded.count(ours) == 200);
      for (String correlation : correlations) {
        EventFilter chain = new EventFilter(Map.of("correlation_id", correlation), null, null);
        String shard = placement.writtenTo(correlation);
        assertThat(sharded.shard(shard).count(chain)).as(correlation + " on " + shard).isEqualTo(25);
        assertThat(sharded.shard(shard.equals("a") ? "b" : "a").count(chain)).isZero();
        List<Long> positions = sharded.inSnapshot("walking", snapshot -> {
          List<Long> walked = new ArrayList<>();
          snapshot.walk(correlation, e -> walked.add(e.chainPosition()));
          return walked;
        });
        assertThat(positions).containsExactlyElementsOf(LongStream.rangeClosed(1, 25).boxed().toList());
      }
      assertThat(node.kafkaWriter().unplaced()).isEmpty();
      // Each shard keeps the offsets of its own partitions, with its rows; the lag is read from all of them.
      assertThat(storedPartitions(stores.shards().get("a"), topic)).containsExactly(0, 2);
      assertThat(storedPartitions(stores.shards().get("b"), topic)).containsExactly(1, 3);
      assertThat(storedPartitions(stores.catalog(), topic)).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> get(node, nodeToken, "/api/v1/admin/kafka").path("lag").asLong() == 0);
      assertThat(get(node, nodeToken, "/api/v1/admin/kafka").get("partitions")).hasSize(PARTITIONS)
          .allSatisfy(p -> assertThat(p.get("stored_offset").asLong()).isEqualTo(p.get("end_offset").asLong()));
    }
  }

  @Test
  void aShardsDatabaseUnreachableStopsOnlyItsPartitionsAndTheyCatchUpWhenItIsBack() throws Exception {
    String topic = "auditflow.shard-outage";
    kafka.createTopic(topic, PARTITIONS, 3, 2);
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), topic, "shard-outage-writers",
        KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
    try (ShardedStores stores = ShardedStores.create(topic, PARTITIONS, "a", "b")) {
      URI b = URI.create(stores.shards().get("b").substring("jdbc:".length()));
      try (CuttingProxy proxy = new CuttingProxy(b.getHost(), b.getPort());
          AuditServer node = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
              .jdbcUrl(stores.catalog()).poolSize(4).kafka(settings).kafkaWriter(true).shards(Map.of(
                  "a", stores.shards().get("a"),
                  "b", "jdbc:postgresql://127.0.0.1:" + proxy.port() + b.getRawPath() + "?" + b.getRawQuery()))
              .build())) {
        String nodeToken = node.apiTokens().create("shard-outage", EnumSet.of(Role.ADMIN), null, "test").secret();
        ShardedTrail sharded = (ShardedTrail) node.trail();
        String onA = stores.correlationOn("a", "kafka-outage");
        String onB = stores.correlationOn("b", "kafka-outage");
        EventFilter ofA = new EventFilter(Map.of("correlation_id", onA), null, null);
        EventFilter ofB = new EventFilter(Map.of("correlation_id", onB), null, null);

        proxy.cutEveryTime("");
        for (int i = 0; i < 4; i++) {
          assertThat(send(node, nodeToken, events(onA, 5)).statusCode()).as("Kafka acknowledges").isEqualTo(201);
          assertThat(send(node, nodeToken, events(onB, 5)).statusCode()).as("Kafka acknowledges").isEqualTo(201);
        }
        // Shard a's partitions are stored meanwhile; a read over b names it.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> sharded.count(ofA) == 20);
        var all = get(node, nodeToken, "/api/v1/audit/events/count?event_category=test");
        assertThat(all.path("detail").asText()).startsWith("shard b is unavailable");

        proxy.disarm();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
          try {
            return sharded.count(ofB) == 20;
          } catch (ShardUnavailableException e) {
            return false;
          }
        });
        List<Long> positions = sharded.inSnapshot("walking", snapshot -> {
          List<Long> walked = new ArrayList<>();
          snapshot.walk(onB, e -> walked.add(e.chainPosition()));
          return walked;
        });
        assertThat(positions).as("stored once, in order").containsExactlyElementsOf(
            LongStream.rangeClosed(1, 20).boxed().toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> get(node, nodeToken, "/api/v1/admin/kafka").path("lag").asLong() == 0);
      }
    }
  }

  @Test
  void aTopicWhosePartitionsAreNotThePlacementsIsNotStoredAnywhere() throws Exception {
    String topic = "auditflow.grown";
    kafka.createTopic(topic, 2, 3, 2);
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), topic, "grown-writers",
        KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
    // Placed when the topic had one partition; it has two now, and keys fall by two.
    try (ShardedStores stores = ShardedStores.create(topic, 1, "a");
        AuditServer node = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
            .jdbcUrl(stores.catalog()).poolSize(4).kafka(settings).kafkaWriter(true).shards(stores.shards()).build())) {
      String nodeToken = node.apiTokens().create("grown-test", EnumSet.of(Role.ADMIN), null, "test").secret();
      for (int i = 0; i < 6; i++) {
        assertThat(send(node, nodeToken, events("kafka-grown-" + i, 3)).statusCode())
            .as("acknowledged: Kafka keeps it until the placement is fixed").isEqualTo(201);
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> node.kafkaWriter()
          .unplaced().equals(Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1))));
      assertThat(node.registry().get("auditflow.writer.unplaced").gauge().value()).isEqualTo(2.0);
      assertThat(storedPartitions(stores.shards().get("a"), topic)).isEmpty();
      assertThat(storedPartitions(stores.catalog(), topic)).isEmpty();
      assertThat(get(node, nodeToken, "/api/v1/admin/kafka").path("lag").asLong()).isEqualTo(18);
    }
  }

  private static HttpResponse<String> send(AuditServer node, String nodeToken, ArrayNode batch) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/v1/audit/events/batch"))
        .header("Authorization", "Bearer " + nodeToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(AuditServer node, String nodeToken, String path) throws Exception {
    return AuditEventJson.mapper().readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.port() + path)).header("Authorization", "Bearer " + nodeToken).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  @Test
  void thePlacementFindsThePartitionKafkasProducerPutsACorrelationOn() throws Exception {
    String topic = "auditflow.placement";
    kafka.createTopic(topic, 6, 1, 1);
    Placement placement = new Placement(topic, List.of("a", "b", "a", "b", "a", "b"));
    Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    Set<Integer> seen = new HashSet<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      for (int i = 0; i < 60; i++) {
        String correlation = "placement-" + i + "-" + UuidV7.generate() + "-ü";
        int partition = producer.send(new ProducerRecord<>(topic, correlation, "{}")).get().partition();
        assertThat(placement.partitionOf(correlation)).as(correlation).isEqualTo(partition);
        seen.add(partition);
      }
    }
    assertThat(seen).as("the keys spread over the partitions").hasSize(6);
  }

  /** The partitions of {@code topic} whose offsets a database keeps. */
  private static List<Integer> storedPartitions(String jdbcUrl, String topic) throws Exception {
    List<Integer> partitions = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT partition FROM ingest_offsets WHERE topic = '" + topic
            + "' AND next_offset > 0 ORDER BY partition")) {
      while (rs.next()) {
        partitions.add(rs.getInt(1));
      }
    }
    return partitions;
  }

  @Test
  void kafkaInitCreatesTheTopicThenChecksItAndNeverChangesIt() throws Exception {
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "auditflow.init-test",
        KafkaSettings.DEFAULT_GROUP, KafkaSettings.DEFAULT_PRODUCE_TIMEOUT);
    TopicSetup.TopicSpec asked = new TopicSetup.TopicSpec(2, 3, 2, Duration.ofDays(1));
    assertThat(TopicSetup.ensure(settings, asked)).isEqualTo(new TopicSetup.Created(asked));
    assertThat(TopicSetup.ensure(settings, asked))
        .isEqualTo(new TopicSetup.Matches(new TopicSetup.TopicState(2, 3, 2, Duration.ofDays(1).toMillis())));
    TopicSetup.Outcome differs = TopicSetup.ensure(settings, new TopicSetup.TopicSpec(3, 3, 3, Duration.ofDays(2)));
    assertThat(((TopicSetup.Differs) differs).differences()).containsExactly("partitions is 2, asked 3",
        "min.insync.replicas is 2, asked 3", "retention.ms is 86400000, asked 172800000");
    assertThat(TopicSetup.ensure(settings, asked)).as("nothing was changed").isInstanceOf(TopicSetup.Matches.class);
  }

  private static String rejection(String eventId) throws Exception {
    try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT reason FROM ingest_rejections WHERE event_id = '" + eventId + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** The topic's records so far: the sum of its partitions' end offsets. */
  private static long endOffsets() throws Exception {
    try (var admin = kafka.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }

  private static long storedOffsets() throws Exception {
    try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(sum(next_offset), 0) FROM ingest_offsets WHERE topic = '"
            + TOPIC + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
