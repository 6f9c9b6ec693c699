package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import java.time.Instant;
import java.util.UUID;

/** A stored workflow, as the API shows it. */
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
    json.put("execution_engine", d.executionEngine());
    putIfPresent(json, "owner", d.owner());
    putIfPresent(json, "maintainer", d.maintainer());
    putIfPresent(json, "container_image", d.containerImage());
    if (d.parameters() != null) {
      json.set("parameters", d.parameters());
    }
    json.put("status", status);
    putIfPresent(json, "status_reason", statusReason);
    putIfPresent(json, "updated_by", updatedBy);
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

  /** The labels a workflow is found by. */
  static String label(JsonNode labels, String name) {
    return labels.path(name).asText();
  }
}
