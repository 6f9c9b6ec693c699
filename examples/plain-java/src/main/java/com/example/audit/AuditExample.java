package com.example.audit;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.CloseReport;
import dev.auditflow.client.DeliveryHandle;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The smallest complete use of the auditflow client: build a store, record events, wait until the
 * server has them, close. Run it against a server:
 *
 * <pre>
 * AUDITFLOW_URL=http://localhost:8080 AUDITFLOW_TOKEN=$(cat auditflow-data/admin.token) \
 *     java -jar target/auditflow-example.jar order-4711
 * </pre>
 */
public final class AuditExample {
  private AuditExample() {}

  public static void main(String[] args) throws Exception {
    String url = System.getenv().getOrDefault("AUDITFLOW_URL", "http://localhost:8080");
    String token = System.getenv("AUDITFLOW_TOKEN");
    String order = args.length > 0 ? args[0] : "order-4711";
    if (token == null || token.isBlank()) {
      System.err.println("set AUDITFLOW_TOKEN to a writer token (e.g. $(cat auditflow-data/admin.token))");
      System.exit(2);
    }
    try (AuditStore audit = AuditStore.builder()
        .endpoint(URI.create(url))
        .bearerToken(token)
        .flushInterval(Duration.ofMillis(200))
        .build()) {
      List<DeliveryHandle> handles = new ArrayList<>();
      for (String step : List.of("received", "validated", "paid", "shipped")) {
        handles.add(audit.store(AuditEvent.builder()
            .eventType("shop.order." + step)
            .eventTimestamp(Instant.now())
            .eventCategory("shop")
            .eventAction(step)
            .eventOutcome(EventOutcome.SUCCESS)
            .correlationId(order)
            .actorId("example-service")
            .eventData(Map.of("order", order, "step", step))
            .build()));
      }
      // flush throws unless every event handed over so far is acknowledged by the server.
      audit.flush(Duration.ofSeconds(30));
      System.out.println("stored " + handles.size() + " events of " + order + ": "
          + handles.stream().map(h -> h.eventId().toString()).toList());
      CloseReport report = audit.close(Duration.ofSeconds(10));
      System.out.println("closed: " + report);
    }
  }
}
