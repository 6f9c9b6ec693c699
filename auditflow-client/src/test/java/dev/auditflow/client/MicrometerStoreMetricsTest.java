package dev.auditflow.client;

import static dev.auditflow.client.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MicrometerStoreMetricsTest {

  @Test
  void exportsOutcomesQueueAndTimings() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FakeTransport transport = FakeTransport.acking();
    try (AuditStore store = AuditStore.builder().transport(transport).meterRegistry(registry)
        .bufferSize(50).batchSize(5).flushInterval(Duration.ofMillis(20)).build()) {
      for (int i = 0; i < 12; i++) {
        store.store(event("m"));
      }
      store.flush(Duration.ofSeconds(30));
      assertThat(registry.get("auditflow.client.events").tag("outcome", "enqueued").functionCounter().count()).isEqualTo(12);
      assertThat(registry.get("auditflow.client.events").tag("outcome", "acknowledged").functionCounter().count()).isEqualTo(12);
      assertThat(registry.get("auditflow.client.events").tag("outcome", "dropped").functionCounter().count()).isZero();
      assertThat(registry.get("auditflow.client.queue.capacity").gauge().value()).isEqualTo(50);
      assertThat(registry.get("auditflow.client.queue.size").gauge().value()).isZero();
      assertThat(registry.get("auditflow.client.batch.size").summary().totalAmount()).isEqualTo(12);
      assertThat(registry.get("auditflow.client.write.duration").tag("result", "success").timer().count())
          .isEqualTo(transport.calls());
      assertThat(registry.get("auditflow.client.ack.latency").timer().count()).isEqualTo(12);
      assertThat(registry.get("auditflow.client.oldest.unacknowledged.age").gauge().value()).isZero();
    }
  }
}
