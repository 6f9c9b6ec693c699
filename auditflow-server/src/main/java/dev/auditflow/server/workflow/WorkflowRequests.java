package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Violation;
import dev.auditflow.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads and validates workflow request bodies, reporting every violation at once. */
final class WorkflowRequests {
  static final Set<String> STATUSES = Set.of("active", "disabled", "deprecated", "archived");
  static final Set<String> SEVERITIES = Set.of("critical", "high", "medium", "low");
  static final Set<String> PRIORITIES = Set.of("P0", "P1", "P2", "P3", "*");
  static final Set<String> MUTABLE = Set.of("status", "status_reason", "updated_by");
  private static final List<String> LABELS = List.of("signal_type", "severity", "component", "environment", "priority");
  private static final int MAX_CONTENT_CHARS = 256 * 1024;

  private WorkflowRequests() {}

  static NewWorkflow create(JsonNode body) {
    List<Violation> v = new ArrayList<>();
    if (!body.isObject()) {
      throw ApiException.validation("a workflow must be a JSON object", List.of(new Violation("$", "must be an object")));
    }
    String workflowName = text(body, "workflow_name", true, 255, v);
    String version = text(body, "version", true, 50, v);
    String name = text(body, "name", true, 255, v);
    String description = text(body, "description", true, 4096, v);
    String content = text(body, "content", true, MAX_CONTENT_CHARS, v);
    String contentHash = text(body, "content_hash", true, 64, v);
    if (contentHash != null && !contentHash.matches("[0-9a-f]{64}")) {
      v.add(new Violation("content_hash", "must be 64 lower-case hex characters (SHA-256 of content)"));
    } else if (contentHash != null && content != null && !contentHash.equals(sha256(content))) {
      v.add(new Violation("content_hash", "does not match the SHA-256 of content (expected " + sha256(content) + ")"));
    }
    ObjectNode labels = labels(body.get("labels"), v);
    String engine = text(body, "execution_engine", true, 50, v);
    String owner = text(body, "owner", false, 255, v);
    String maintainer = text(body, "maintainer", false, 255, v);
    String image = text(body, "container_image", false, 512, v);
    JsonNode parameters = body.get("parameters");
    if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
      v.add(new Violation("parameters", "must be a JSON object"));
    }
    String status = text(body, "status", false, 20, v);
    if (status != null && !STATUSES.contains(status)) {
      v.add(new Violation("status", "must be one of " + new TreeSet<>(STATUSES) + ", was \"" + status + "\""));
    }
    if (!v.isEmpty()) {
      throw ApiException.validation("the workflow is invalid", v);
    }
    return new NewWorkflow(workflowName, version, name, description, content, contentHash, labels, engine, owner,
        maintainer, image, parameters == null || parameters.isNull() ? null : parameters, status == null ? "active" : status);
  }

  /** A status change: {@code status} required, {@code status_reason} and {@code updated_by} optional, nothing else. */
  record StatusChange(String status, String reason, String updatedBy) {}

  static StatusChange statusChange(JsonNode body) {
    List<Violation> v = new ArrayList<>();
    if (!body.isObject()) {
      throw ApiException.validation("the body must be a JSON object", List.of(new Violation("$", "must be an object")));
    }
    body.fieldNames().forEachRemaining(field -> {
      if (!MUTABLE.contains(field)) {
        v.add(new Violation(field, "cannot be changed; only status, status_reason and updated_by can"));
      }
    });
    String status = text(body, "status", true, 20, v);
    if (status != null && !STATUSES.contains(status)) {
      v.add(new Violation("status", "must be one of " + new TreeSet<>(STATUSES) + ", was \"" + status + "\""));
    }
    String reason = text(body, "status_reason", false, 1024, v);
    String updatedBy = text(body, "updated_by", false, 255, v);
    if (!v.isEmpty()) {
      throw ApiException.validation("invalid status change", v);
    }
    return new StatusChange(status, reason, updatedBy);
  }

  private static ObjectNode labels(JsonNode labels, List<Violation> v) {
    if (labels == null || labels.isNull()) {
      v.add(new Violation("labels", "is required: an object with " + LABELS));
      return null;
    }
    if (!labels.isObject()) {
      v.add(new Violation("labels", "must be a JSON object"));
      return null;
    }
    ObjectNode clean = AuditEventJson.mapper().createObjectNode();
    for (String label : LABELS) {
      String value = text(labels, label, true, 100, v, "labels." + label);
      clean.put(label, value);
    }
    String severity = clean.path("severity").asText(null);
    if (severity != null && !SEVERITIES.contains(severity)) {
      v.add(new Violation("labels.severity", "must be one of " + new TreeSet<>(SEVERITIES) + ", was \"" + severity + "\""));
    }
    String priority = clean.path("priority").asText(null);
    if (priority != null && !PRIORITIES.contains(priority)) {
      v.add(new Violation("labels.priority", "must be one of P0, P1, P2, P3, *, was \"" + priority + "\""));
    }
    labels.fieldNames().forEachRemaining(name -> {
      if (!LABELS.contains(name)) {
        v.add(new Violation("labels." + name, "unknown label; allowed: " + LABELS));
      }
    });
    return clean;
  }

  private static String text(JsonNode body, String field, boolean required, int max, List<Violation> v) {
    return text(body, field, required, max, v, field);
  }

  private static String text(JsonNode body, String field, boolean required, int max, List<Violation> v, String path) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        v.add(new Violation(path, "is required"));
      }
      return null;
    }
    if (!node.isTextual()) {
      v.add(new Violation(path, "must be a string"));
      return null;
    }
    String value = node.textValue();
    int length = value.codePointCount(0, value.length());
    if (value.isBlank()) {
      v.add(new Violation(path, "must not be blank"));
    } else if (length > max) {
      v.add(new Violation(path, "must be at most " + max + " characters, was " + length));
    } else if (value.indexOf('\u0000') >= 0) {
      v.add(new Violation(path, "must not contain U+0000"));
    }
    return value;
  }

  static String sha256(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
