package dev.auditflow.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.ServerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kafka mode's settings are checked where the server's are, each refusal naming its option. */
class KafkaSettingsTest {
  private static final String DB = "jdbc:postgresql://localhost/audit";

  @Test
  void eachBadValueIsRefusedNamingItsOption() {
    assertThatThrownBy(() -> KafkaSettings.of("no-port")).hasMessageContaining("kafka-bootstrap");
    assertThatThrownBy(() -> new KafkaSettings("k:9092", "bad topic", "g", Duration.ofSeconds(5)))
        .hasMessageContaining("kafka-topic");
    assertThatThrownBy(() -> new KafkaSettings("k:9092", "t", " ", Duration.ofSeconds(5)))
        .hasMessageContaining("kafka-group");
    assertThatThrownBy(() -> new KafkaSettings("k:9092", "t", "g", Duration.ofMillis(10)))
        .hasMessageContaining("kafka-produce-timeout");
    assertThat(KafkaSettings.of("k1:9092,k2:9092").topic()).isEqualTo("auditflow.events");
  }

  @Test
  void aPropertiesFileSetsTheConnectionButNotWhatTheAnswersPromise() {
    Map<String, String> security = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\""
            + " password=\"s3cret\";", "linger.ms", "5");
    KafkaSettings settings = new KafkaSettings("k:9092", "t", "g", Duration.ofSeconds(5), security);
    Map<String, Object> producer = KafkaIntake.producerConfig(settings);
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "5")
        .containsEntry("acks", "all").containsEntry("enable.idempotence", true).containsEntry("bootstrap.servers", "k:9092");
    Map<String, Object> consumer = KafkaWriter.consumerConfig(settings, "writer-1");
    assertThat(consumer).containsEntry("sasl.mechanism", "PLAIN").containsEntry("enable.auto.commit", false)
        .containsEntry("group.id", "g");
    assertThat(settings.toString()).as("no secret in a log line").doesNotContain("s3cret").contains("sasl.jaas.config");

    for (String reserved : new String[] {"acks", "enable.idempotence", "group.id", "enable.auto.commit",
        "bootstrap.servers", "value.serializer"}) {
      assertThatThrownBy(() -> new KafkaSettings("k:9092", "t", "g", Duration.ofSeconds(5), Map.of(reserved, "x")))
          .as(reserved).hasMessageContaining("kafka-config may not set " + reserved);
    }
  }

  @Test
  void aWriterNeedsKafkaAndADeadLetterQueueHasNoPartInKafkaMode() {
    assertThatThrownBy(() -> ServerConfig.builder().jdbcUrl(DB).kafkaWriter(true).build())
        .hasMessageContaining("kafka-bootstrap");
    assertThatThrownBy(() -> ServerConfig.builder().jdbcUrl(DB).kafka(KafkaSettings.of("k:9092"))
        .redisUrl("redis://r:6379").build()).hasMessageContaining("drop --redis-url");
    assertThat(ServerConfig.builder().jdbcUrl(DB).kafka(KafkaSettings.of("k:9092")).kafkaWriter(true).build()
        .toString()).contains("kafka=auditflow.events (writer)");
  }
}
