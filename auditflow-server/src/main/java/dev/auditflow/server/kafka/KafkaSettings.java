package dev.auditflow.server.kafka;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kafka mode (docs/SCALE.md): the replicated ingest log that ingest nodes append to and writers
 * drain into PostgreSQL. Validated here, in one place, with messages naming the option.
 *
 * @param bootstrapServers {@code host:port[,host:port…]} of the cluster
 * @param topic the events' topic (default {@link #DEFAULT_TOPIC}); created beforehand (docs/SCALE.md)
 * @param group the writers' consumer group (default {@link #DEFAULT_GROUP})
 * @param produceTimeout how long an ingest request waits for Kafka to acknowledge its events before
 *     it answers 503 (default 30 s)
 */
public record KafkaSettings(String bootstrapServers, String topic, String group, Duration produceTimeout) {
  public static final String DEFAULT_TOPIC = "auditflow.events";
  public static final String DEFAULT_GROUP = "auditflow-writers";
  public static final Duration DEFAULT_PRODUCE_TIMEOUT = Duration.ofSeconds(30);
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
  }

  /** The defaults for everything but the cluster's address. */
  public static KafkaSettings of(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, DEFAULT_TOPIC, DEFAULT_GROUP, DEFAULT_PRODUCE_TIMEOUT);
  }
}
