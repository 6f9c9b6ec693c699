package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A stored workflow, as the API shows it: Kubernaut's {@code RemediationWorkflow}. */
public record Workflow(
    UUID workflowId,
    NewWorkflow definition,
    String status,
    String statusReason,
    String updatedBy,
    boolean latestVersion,
    Instant createdAt,
    Instant updatedAt) {

  public ObjectNode toJson() {
    NewWorkflow d = definition;
    ObjectNode json = AuditEventJson.mapper().createObjectNode();
    json.put("workflow_id", workflowId.toString());
    json.put("workflow_name", d.workflowName());
    json.put("version", d.version());
    json.put("name", d.name());
    json.put("description", d.description());
    json.put("content", d.content());
    json.put("content_hash", d.contentHash());
    json.set("labels", d.labels());
    putIfPresent(json, "custom_labels", d.customLabels());
    putIfPresent(json, "detected_labels", d.detectedLabels());
    json.put("execution_engine", d.executionEngine());
    putIfPresent(json, "owner", d.owner());
    putIfPresent(json, "maintainer", d.maintainer());
    putIfPresent(json, "container_image", d.containerImage());
    putIfPresent(json, "container_digest", d.containerDigest());
    putIfPresent(json, "parameters", d.parameters());
    json.put("status", status);
    putIfPresent(json, "status_reason", statusReason);
    putIfPresent(json, "updated_by", updatedBy);
    if (status.equals("disabled")) {
      // Kubernaut's names for the same facts.
      json.put("disabled_at", Timestamps.format(updatedAt));
      putIfPresent(json, "disabled_by", updatedBy);
      putIfPresent(json, "disabled_reason", statusReason);
    }
    json.put("is_latest_version", latestVersion);
    json.put("created_at", Timestamps.format(createdAt));
    json.put("updated_at", Timestamps.format(updatedAt));
    return json;
  }

  private static void putIfPresent(ObjectNode json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static void putIfPresent(ObjectNode json, String field, JsonNode value) {
    if (value != null) {
      json.set(field, value);
    }
  }

  /** A single-valued label the catalog is searched by. */
  static String label(JsonNode labels, String name) {
    return labels.path(name).asText();
  }

  /** The environments of stored or validated labels: a list, or one value as rows before V12 held it. */
  static List<String> environments(JsonNode labels) {
    JsonNode environment = labels.path("environment");
    List<String> values = new ArrayList<>();
    if (environment.isArray()) {
      environment.forEach(e -> values.add(e.asText()));
    } else if (environment.isTextual()) {
      values.add(environment.asText());
    }
    return values;
  }
}
