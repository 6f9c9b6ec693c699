package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.kafka.KafkaSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options for Kafka mode (docs/SCALE.md). */
@Section("kafka")
final class KafkaOptions {
  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,…]",
      description = "Kafka mode: ingest appends every event to this cluster's topic (acks=all, idempotent) and answers"
          + " once Kafka has it; writers (auditflow worker) store it in PostgreSQL. Without it events go straight to"
          + " PostgreSQL.")
  String bootstrap;

  @Option(names = "--kafka-topic", defaultValue = KafkaSettings.DEFAULT_TOPIC,
      description = "The events' topic, created beforehand (docs/SCALE.md) (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--kafka-group", defaultValue = KafkaSettings.DEFAULT_GROUP,
      description = "The writers' consumer group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--kafka-produce-timeout", defaultValue = "30s",
      description = "How long an ingest request waits for Kafka to acknowledge its events before answering 503"
          + " (default: ${DEFAULT-VALUE}).")
  Duration produceTimeout;

  @Option(names = "--kafka-writer",
      description = "Also store the topic's records in PostgreSQL from this process (what auditflow worker does).")
  boolean writer;

  void applyTo(ServerConfig.Builder config, boolean alwaysWriter) {
    if (bootstrap != null && !bootstrap.isBlank()) {
      config.kafka(new KafkaSettings(bootstrap.strip(), topic, group, produceTimeout));
    }
    config.kafkaWriter(writer || alwaysWriter);
  }
}
