package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditStoreConfigTest {

  @Test
  void defaultsAreTheSpecs() {
    AuditStoreConfig d = AuditStoreConfig.DEFAULTS;
    assertThat(d.bufferSize()).isEqualTo(10_000);
    assertThat(d.batchSize()).isEqualTo(1_000);
    assertThat(d.flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
    assertThat(d.overflowTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.deliveryTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(d.maxInFlightBatches()).isEqualTo(2);
    assertThat(d.retryPolicy().initialBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(d.retryPolicy().maxBackoff()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.retryPolicy().jitter()).isEqualTo(0.2);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("bufferSize", (UnaryOperator<AuditStoreBuilder>) b -> b.bufferSize(0)),
        Arguments.of("batchSize", (UnaryOperator<AuditStoreBuilder>) b -> b.batchSize(-1)),
        Arguments.of("batchSize (200) must be <= bufferSize (100)", (UnaryOperator<AuditStoreBuilder>) b -> b.bufferSize(100).batchSize(200)),
        Arguments.of("flushInterval", (UnaryOperator<AuditStoreBuilder>) b -> b.flushInterval(Duration.ZERO)),
        Arguments.of("overflowTimeout", (UnaryOperator<AuditStoreBuilder>) b -> b.overflowTimeout(Duration.ofSeconds(-1))),
        Arguments.of("requestTimeout", (UnaryOperator<AuditStoreBuilder>) b -> b.requestTimeout(Duration.ofMinutes(5))),
        Arguments.of("maxInFlightBatches", (UnaryOperator<AuditStoreBuilder>) b -> b.maxInFlightBatches(0)),
        Arguments.of("overflowPolicy", (UnaryOperator<AuditStoreBuilder>) b -> b.overflowPolicy(null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidSettingsAreRejectedByName(String expected, UnaryOperator<AuditStoreBuilder> change) {
    AuditStoreBuilder builder = change.apply(AuditStore.builder().transport(FakeTransport.acking()));
    assertThatThrownBy(builder::build).hasMessageContaining(expected);
  }

  @Test
  void exactlyOneDestinationIsRequired() {
    assertThatThrownBy(() -> AuditStore.builder().build()).hasMessageContaining("exactly one of endpoint");
  }

  @Test
  void retryPolicyRejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.2, 3)).hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5, 3)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.2, 0)).hasMessageContaining("maxAttempts");
  }

  @Test
  void backoffDoublesUpToTheCapWithinTheJitterBand() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertThat(p.backoffNanos(1, () -> 0.5)).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(p.backoffNanos(2, () -> 0.5)).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(p.backoffNanos(4, () -> 0.5)).isEqualTo(Duration.ofMillis(800).toNanos());
    assertThat(p.backoffNanos(20, () -> 0.5)).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(p.backoffNanos(1000, () -> 0.5)).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(p.backoffNanos(1, () -> 0.0)).isEqualTo(Duration.ofMillis(80).toNanos());
    assertThat(p.backoffNanos(1, () -> 0.999999)).isBetween(Duration.ofMillis(119).toNanos(), Duration.ofMillis(120).toNanos());
  }
}
