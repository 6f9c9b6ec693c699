package com.example.refunds;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * POST /orders/{order}/refunds?amount_cents=…: "issues" a refund and audits it. The AuditStore
 * bean comes from the starter (auditflow.client.* in application.properties); store() returns at
 * once, the event is sent in the background and drained when the application stops.
 */
@RestController
class RefundController {
  private final AuditStore audit;

  RefundController(AuditStore audit) {
    this.audit = audit;
  }

  @PostMapping("/orders/{order}/refunds")
  @ResponseStatus(HttpStatus.ACCEPTED)
  Map<String, Object> refund(@PathVariable String order, @RequestParam("amount_cents") long amountCents) {
    AuditEvent event = AuditEvent.builder()
        .eventType("order.refund.issued")
        .eventTimestamp(Instant.now())
        .eventCategory("order")
        .eventAction("refund")
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId(order)
        .actorType("user")
        .actorId("support-agent-7")
        .eventData(Map.of("amount_cents", amountCents))
        .build();
    audit.store(event);
    return Map.of("order", order, "event_id", event.eventId().toString());
  }
}
