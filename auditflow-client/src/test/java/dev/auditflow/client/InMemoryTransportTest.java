package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.api.AuditEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryTransportTest {

  @Test
  void aStoreBuiltOnItDeliversEveryEventInOrder() throws Exception {
    InMemoryTransport sent = new InMemoryTransport();
    List<AuditEvent> events = List.of(Events.event("order-1"), Events.event("order-2"), Events.event("order-3"));
    try (AuditStore audit = AuditStore.builder().transport(sent).build()) {
      events.forEach(audit::store);
      audit.flush(Duration.ofSeconds(10));
    }
    assertThat(sent.events()).extracting(AuditEvent::correlationId).containsExactly("order-1", "order-2", "order-3");
    assertThat(sent.batches()).isBetween(1, 3);
  }

  @Test
  void anEventIdSeenBeforeIsADuplicateAndKeptOnce() throws Exception {
    InMemoryTransport sent = new InMemoryTransport();
    AuditEvent event = Events.event("order-1");
    assertThat(event.eventId()).isNotNull();
    assertThat(sent.send(List.of(event), Duration.ofSeconds(1))).isEqualTo(new BatchAck(1, 0, false));
    assertThat(sent.send(List.of(event, Events.event("order-2")), Duration.ofSeconds(1)))
        .isEqualTo(new BatchAck(1, 1, false));
    assertThat(sent.events()).extracting(AuditEvent::correlationId).containsExactly("order-1", "order-2");

    sent.clear();
    assertThat(sent.events()).isEmpty();
    assertThat(sent.batches()).isZero();
    assertThat(sent.send(List.of(event), Duration.ofSeconds(1))).isEqualTo(new BatchAck(1, 0, false));
  }

  @Test
  void unavailableItFailsAsAnUnreachableServerDoes() throws Exception {
    InMemoryTransport sent = new InMemoryTransport();
    sent.unavailable(true);
    assertThatThrownBy(() -> sent.send(List.of(Events.event("order-1")), Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.mayHaveBeenStored()).isFalse();
        });
    assertThat(sent.events()).isEmpty();

    sent.unavailable(false);
    sent.send(List.of(Events.event("order-1")), Duration.ofSeconds(1));
    assertThat(sent.events()).hasSize(1);
  }
}
