package dev.auditflow.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.ServerConfig;
import java.time.Duration;
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
  void aWriterNeedsKafkaAndADeadLetterQueueHasNoPartInKafkaMode() {
    assertThatThrownBy(() -> ServerConfig.builder().jdbcUrl(DB).kafkaWriter(true).build())
        .hasMessageContaining("kafka-bootstrap");
    assertThatThrownBy(() -> ServerConfig.builder().jdbcUrl(DB).kafka(KafkaSettings.of("k:9092"))
        .redisUrl("redis://r:6379").build()).hasMessageContaining("drop --redis-url");
    assertThat(ServerConfig.builder().jdbcUrl(DB).kafka(KafkaSettings.of("k:9092")).kafkaWriter(true).build()
        .toString()).contains("kafka=auditflow.events (writer)");
  }
}
