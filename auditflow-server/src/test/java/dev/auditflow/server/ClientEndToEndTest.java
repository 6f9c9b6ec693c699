package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.DeliveryHandle;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client library → this server over HTTP → PostgreSQL → the query API. */
class ClientEndToEndTest {

  @Test
  void anEventStoredThroughTheClientIsQueryable() throws Exception {
    try (ServerFixture fx = ServerFixture.start();
        AuditStore audit = AuditStore.builder().endpoint(fx.baseUri()).bearerToken(fx.token(Role.WRITER)).build()) {
      AuditEvent event = AuditEvent.builder()
          .eventType("e2e.event.stored").eventTimestamp(Instant.now()).eventCategory("e2e").eventAction("store")
          .eventOutcome(EventOutcome.SUCCESS).correlationId("e2e-1").eventData(Map.of("k", "v")).build();
      DeliveryHandle handle = audit.store(event);
      audit.flush(Duration.ofSeconds(30));
      assertThat(handle.isAcknowledged()).isTrue();

      JsonNode page = fx.get("/api/v1/audit/events?correlation_id=e2e-1").json();
      assertThat(page.get("data")).hasSize(1);
      JsonNode stored = page.get("data").get(0);
      assertThat(stored.get("event_id").asText()).isEqualTo(event.eventId().toString());
      assertThat(stored.get("event_data").get("k").asText()).isEqualTo("v");
      assertThat(audit.stats().acknowledged()).isEqualTo(1);
    }
  }
}
