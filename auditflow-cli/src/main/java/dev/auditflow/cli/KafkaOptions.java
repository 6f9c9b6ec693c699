package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.kafka.KafkaSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/** {@code serve}'s options for Kafka mode (docs/SCALE.md). */
@Section("kafka")
final class KafkaOptions {
  static final String CONFIG_DESCRIPTION = "A Kafka client properties file for every Kafka client auditflow opens:"
      + " the connection's security (security.protocol, ssl.*, sasl.*) and tuning. Not acks, idempotence, the group,"
      + " offsets or serializers: auditflow sets those itself (docs/SCALE.md).";

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,…]",
      description = "Kafka mode: ingest appends every event to this cluster's topic (acks=all, idempotent) and answers"
          + " once Kafka has it; writers (auditflow worker) store it in PostgreSQL. Without it events go straight to"
          + " PostgreSQL.")
  String bootstrap;

  @Option(names = "--kafka-topic", defaultValue = KafkaSettings.DEFAULT_TOPIC,
      description = "The events' topic, created beforehand with auditflow kafka init (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--kafka-group", defaultValue = KafkaSettings.DEFAULT_GROUP,
      description = "The writers' consumer group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--kafka-produce-timeout", defaultValue = "30s",
      description = "How long an ingest request waits for Kafka to acknowledge its events before answering 503"
          + " (default: ${DEFAULT-VALUE}).")
  Duration produceTimeout;

  @Option(names = "--kafka-config", paramLabel = "FILE", description = CONFIG_DESCRIPTION)
  Path clientConfig;

  @Option(names = "--kafka-writer",
      description = "Also store the topic's records in PostgreSQL from this process (what auditflow worker does).")
  boolean writer;

  void applyTo(ServerConfig.Builder config, boolean alwaysWriter) {
    if (bootstrap != null && !bootstrap.isBlank()) {
      config.kafka(new KafkaSettings(bootstrap.strip(), topic, group, produceTimeout, readClientConfig(clientConfig)));
    }
    config.kafkaWriter(writer || alwaysWriter);
  }

  /** A Kafka client properties file (Kafka's own format, as its tools' --command-config), or none for null. */
  static Map<String, String> readClientConfig(Path file) {
    if (file == null) {
      return Map.of();
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      properties.load(in);
    } catch (NoSuchFileException e) {
      throw new ConfigurationException("kafka-config: no such file " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigurationException("kafka-config: cannot read " + file + " (" + e.getMessage() + ")", e);
    }
    Map<String, String> values = new TreeMap<>();
    properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
    return values;
  }
}
