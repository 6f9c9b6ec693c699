package dev.auditflow.server.kubernaut;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * An {@code AuditEventRequest} as Kubernaut's ogen-generated Go client writes it: fields in its
 * encoder's order, no {@code event_id} (the contract has none), timestamps in whole seconds with
 * {@code Z} (Go's {@code time.RFC3339}), optional fields omitted unless set, and {@code
 * event_data} carrying its own {@code event_type} as the oneOf discriminator.
 */
public final class KubernautEvent {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private final ObjectNode json = NODES.objectNode();
  private final ObjectNode optional = NODES.objectNode();
  private ObjectNode eventData;

  private KubernautEvent(String eventType, String category, String action, String correlationId, Instant at) {
    json.put("version", "1.0");
    json.put("event_type", eventType);
    json.put("event_timestamp", rfc3339(at));
    json.put("event_category", category);
    json.put("event_action", action);
    json.put("event_outcome", "success");
    json.put("correlation_id", correlationId);
    eventData = NODES.objectNode().put("event_type", eventType);
  }

  /**
   * An event of any type, as Kubernaut's tests build one ({@code version 1.0}, outcome success),
   * with {@code event_data} holding only its discriminator until {@link #data} adds fields.
   */
  public static KubernautEvent of(String eventType, String category, String action, String correlationId,
      Instant at) {
    return new KubernautEvent(eventType, category, action, correlationId, at);
  }

  /** What the Gateway writes when it receives an alert (payload from the contract's GatewayAuditPayload). */
  public static KubernautEvent gatewaySignalReceived(String correlationId, Instant at) {
    KubernautEvent e = new KubernautEvent("gateway.signal.received", "gateway", "received", correlationId, at);
    e.set("actor_type", "service").set("actor_id", "gateway-service").set("resource_type", "Signal")
        .set("resource_id", "fp-abc123").set("namespace", "payment").set("severity", "warning");
    e.eventData.put("signal_type", "alert").put("signal_name", "HighMemoryUsage").put("namespace", "payment")
        .put("fingerprint", "fp-abc123").put("severity", "warning").put("resource_kind", "Deployment")
        .put("resource_name", "payment-api").put("deduplication_status", "new").put("occurrence_count", 1);
    e.eventData.putObject("signal_labels").put("alertname", "HighMemoryUsage").put("team", "payments");
    return e;
  }

  /** A cluster-scoped Node alert: the Gateway sends {@code namespace: ""}. */
  public static KubernautEvent gatewayNodeAlert(String correlationId, Instant at) {
    KubernautEvent e = gatewaySignalReceived(correlationId, at);
    e.set("namespace", "").set("resource_type", "Node").set("resource_id", "node-7");
    e.eventData.put("namespace", "").put("resource_kind", "Node").put("resource_name", "node-7");
    return e;
  }

  /** What the RemediationOrchestrator writes when a remediation starts. */
  public static KubernautEvent orchestratorStarted(String correlationId, Instant at) {
    KubernautEvent e = new KubernautEvent("orchestrator.lifecycle.started", "orchestration", "started", correlationId, at);
    e.set("actor_type", "service").set("actor_id", "remediationorchestrator-controller")
        .set("resource_type", "RemediationRequest").set("resource_id", correlationId).set("namespace", "kubernaut-system");
    e.eventData.put("rr_name", correlationId).put("namespace", "kubernaut-system");
    return e;
  }

  public KubernautEvent set(String field, String value) {
    optional.put(field, value);
    return this;
  }

  public KubernautEvent set(String field, long value) {
    optional.put(field, value);
    return this;
  }

  public KubernautEvent data(String field, String value) {
    eventData.put(field, value);
    return this;
  }

  /** The event's {@code event_data}, to add fields of other types or nested objects. */
  public ObjectNode eventData() {
    return eventData;
  }

  public KubernautEvent eventData(ObjectNode data) {
    eventData = data;
    return this;
  }

  public KubernautEvent outcome(String outcome) {
    json.put("event_outcome", outcome);
    return this;
  }

  /** The JSON, optional fields placed where ogen's encoder writes them. */
  public ObjectNode json() {
    ObjectNode out = NODES.objectNode();
    for (String field : new String[] {"version", "event_type", "event_timestamp", "event_category", "event_action",
        "event_outcome", "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id",
        "parent_event_id", "namespace", "cluster_id", "severity", "duration_ms", "parent_event_date", "error_code",
        "error_message", "retention_days", "is_sensitive"}) {
      if (json.has(field)) {
        out.set(field, json.get(field));
      } else if (optional.has(field)) {
        out.set(field, optional.get(field));
      }
    }
    out.set("event_data", eventData);
    return out;
  }

  public static String rfc3339(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
  }
}
