package dev.auditflow.server.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka mode (docs/SCALE.md): the replicated ingest log that ingest nodes append to and writers
 * drain into PostgreSQL. Validated here, in one place, with messages naming the option.
 *
 * @param bootstrapServers {@code host:port[,host:port…]} of the cluster
 * @param topic the events' topic (default {@link #DEFAULT_TOPIC}); created beforehand (docs/SCALE.md)
 * @param group the writers' consumer group (default {@link #DEFAULT_GROUP})
 * @param produceTimeout how long an ingest request waits for Kafka to acknowledge its events before
 *     it answers 503 (default 30 s)
 * @param clientProperties further Kafka client properties for every client auditflow opens — the
 *     connection's security above all ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}),
 *     read from {@code --kafka-config}; never one that auditflow's promises rest on ({@link #RESERVED})
 */
public record KafkaSettings(String bootstrapServers, String topic, String group, Duration produceTimeout,
    Map<String, String> clientProperties) {
  public static final String DEFAULT_TOPIC = "auditflow.events";
  public static final String DEFAULT_GROUP = "auditflow-writers";
  public static final Duration DEFAULT_PRODUCE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Client properties auditflow sets itself and a properties file may not change: what an
   * acknowledgement promises (acks, idempotence), where a writer resumes (its offsets live in
   * PostgreSQL, never committed to Kafka), how records are framed, and what has an option of its own.
   */
  public static final Set<String> RESERVED = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
      ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
      ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
      ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
      ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.PARTITIONER_CLASS_CONFIG,
      ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
      ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
  private static final Pattern SERVERS = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}(,[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5})*");
  /** Kafka's own rule for topic names. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, "kafka-bootstrap");
    if (!SERVERS.matcher(bootstrapServers).matches()) {
      throw new IllegalArgumentException("kafka-bootstrap must be host:port[,host:port…], was \"" + bootstrapServers + "\"");
    }
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new IllegalArgumentException("kafka-topic must be 1-249 of [a-zA-Z0-9._-], was \"" + topic + "\"");
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("kafka-group must not be empty");
    }
    Objects.requireNonNull(produceTimeout, "kafka-produce-timeout");
    if (produceTimeout.toMillis() < 1_000) {
      throw new IllegalArgumentException("kafka-produce-timeout must be >= 1s, was " + produceTimeout);
    }
    clientProperties = Map.copyOf(Objects.requireNonNull(clientProperties, "kafka-config"));
    Set<String> reserved = new TreeSet<>(clientProperties.keySet());
    reserved.retainAll(RESERVED);
    if (!reserved.isEmpty()) {
      throw new IllegalArgumentException("kafka-config may not set " + String.join(", ", reserved)
          + ": auditflow sets it itself (docs/SCALE.md, \"Connecting to Kafka\")");
    }
  }

  public KafkaSettings(String bootstrapServers, String topic, String group, Duration produceTimeout) {
    this(bootstrapServers, topic, group, produceTimeout, Map.of());
  }

  /** The defaults for everything but the cluster's address. */
  public static KafkaSettings of(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, DEFAULT_TOPIC, DEFAULT_GROUP, DEFAULT_PRODUCE_TIMEOUT);
  }

  /** What every client starts from: the cluster, then the properties file; each client adds its own. */
  public Map<String, Object> clientConfig(String clientId) {
    Map<String, Object> config = new java.util.HashMap<>(clientProperties);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return config;
  }

  /** Never the properties' values: they hold passwords ({@code sasl.jaas.config}, {@code ssl.key.password}). */
  @Override
  public String toString() {
    return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", group=" + group
        + ", produceTimeout=" + produceTimeout + ", clientProperties=" + new TreeSet<>(clientProperties.keySet()) + "]";
  }
}
