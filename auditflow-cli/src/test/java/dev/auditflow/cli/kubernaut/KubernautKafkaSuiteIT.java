package dev.auditflow.cli.kubernaut;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.testkit.kafka.KafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Kubernaut's tests ({@link KubernautSuite}) against jars in Kafka mode (docs/SCALE.md): each jar
 * is an ingest node and a writer ({@code --kafka-bootstrap … --kafka-writer}) on a topic of its
 * own, on one real Kafka broker. An answer there means "replicated in the ingest log"; a writer
 * stores the events shortly after, so after every accepted write the suite waits, as any reader in
 * this mode must, until the writers have stored everything the topic holds — then reads.
 */
class KubernautKafkaSuiteIT extends KubernautSuite {
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private static KafkaCluster kafka;
  private static Admin admin;

  @BeforeAll
  static void serve() throws Exception {
    Path work = Files.createTempDirectory("auditflow-kubernaut-kafka");
    kafka = KafkaCluster.start(work.resolve("kafka"), 1);
    admin = kafka.admin();
    for (String name : List.of("main", "small")) {
      JarProcess init = JarProcess.of(Files.createDirectories(work.resolve("init-" + name)), "kafka", "init",
          "--kafka-bootstrap", kafka.bootstrapServers(), "--kafka-topic", topic(name), "--partitions", "3",
          "--replication-factor", "1", "--min-insync-replicas", "1");
      assertThat(init.run(START)).as(init.output()).isZero();
    }
    deploy(new IngestPath() {
      @Override
      public List<String> options(String name) {
        return List.of("--kafka-bootstrap", kafka.bootstrapServers(), "--kafka-topic", topic(name),
            "--kafka-group", "auditflow-writers-" + name, "--kafka-writer");
      }

      @Override
      public Runnable afterWrite(String name, String database) {
        return () -> awaitStored(topic(name), database);
      }

      @Override
      public boolean kafka() {
        return true;
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      undeploy();
    } finally {
      if (admin != null) {
        admin.close();
      }
      if (kafka != null) {
        kafka.close();
      }
    }
  }

  private static String topic(String name) {
    return "kubernaut." + name;
  }

  /**
   * Waits until every partition's offset stored with the rows (the writers' {@code ingest_offsets})
   * has reached the end offset Kafka had when the write was answered: every record accepted so far
   * is then stored, or kept as rejected.
   */
  private static void awaitStored(String topic, String database) {
    Map<Integer, Long> ends = endOffsets(topic);
    Instant deadline = Instant.now().plus(CATCH_UP);
    Map<Integer, Long> stored;
    while (!caughtUp(ends, stored = storedOffsets(topic, database))) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("writers did not store " + topic + " within " + CATCH_UP + ": end offsets " + ends
            + ", stored " + stored);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static boolean caughtUp(Map<Integer, Long> ends, Map<Integer, Long> stored) {
    return ends.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }

  private static Map<Integer, Long> endOffsets(String topic) {
    try {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
          .partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("end offsets of " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<Integer, Long> storedOffsets(String topic, String database) {
    try (Connection c = DriverManager.getConnection(database);
        PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM ingest_offsets WHERE topic = ?")) {
      ps.setString(1, topic);
      Map<Integer, Long> stored = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.put(rs.getInt(1), rs.getLong(2));
        }
      }
      return stored;
    } catch (SQLException e) {
      throw new AssertionError("stored offsets of " + topic, e);
    }
  }
}
