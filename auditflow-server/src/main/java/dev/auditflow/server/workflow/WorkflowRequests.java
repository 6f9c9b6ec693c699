package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads and validates workflow request bodies, reporting every violation at once. */
final class WorkflowRequests {
  static final Set<String> STATUSES = Set.of("active", "disabled", "deprecated", "archived");
  static final Set<String> SEVERITIES = Set.of("critical", "high", "medium", "low");
  static final Set<String> PRIORITIES = Set.of("P0", "P1", "P2", "P3", "*");
  static final Set<String> ENVIRONMENTS = Set.of("production", "staging", "development", "test", "*");
  /** What a status change may send: auditflow's names and Kubernaut's ({@code disabled_by}, {@code disabled_reason}). */
  static final Set<String> MUTABLE = Set.of("status", "status_reason", "updated_by", "disabled_by", "disabled_reason");
  private static final List<String> LABELS = List.of("signal_type", "severity", "component", "environment", "priority");
  private static final List<String> SINGLE_VALUED_LABELS = List.of("signal_type", "severity", "component", "priority");
  private static final int MAX_CONTENT_CHARS = 256 * 1024;

  private WorkflowRequests() {}

  static NewWorkflow create(JsonNode body) {
    List<Violation> v = new ArrayList<>();
    if (!body.isObject()) {
      throw RequestRefusedException.validation("a workflow must be a JSON object", List.of(new Violation("$", "must be an object")));
    }
    String workflowName = text(body, "workflow_name", true, 255, v);
    String version = text(body, "version", true, 50, v);
    String name = text(body, "name", true, 255, v);
    String description = text(body, "description", true, 4096, v);
    String content = text(body, "content", true, MAX_CONTENT_CHARS, v);
    // Stored as sent: Kubernaut's clients compute it, and its contract asks only for 64 characters.
    String contentHash = text(body, "content_hash", true, 64, v);
    if (contentHash != null && !contentHash.matches("[0-9a-f]{64}")) {
      v.add(new Violation("content_hash", "must be 64 lower-case hex characters (a SHA-256)"));
    }
    ObjectNode labels = labels(body.get("labels"), v);
    ObjectNode customLabels = customLabels(body.get("custom_labels"), v);
    ObjectNode detectedLabels = object(body, "detected_labels", v);
    String engine = text(body, "execution_engine", true, 50, v);
    String owner = text(body, "owner", false, 255, v);
    String maintainer = text(body, "maintainer", false, 255, v);
    String image = text(body, "container_image", false, 512, v);
    String digest = text(body, "container_digest", false, 100, v);
    JsonNode parameters = body.get("parameters");
    if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
      v.add(new Violation("parameters", "must be a JSON object"));
    }
    String status = text(body, "status", false, 20, v);
    if (status != null && !STATUSES.contains(status)) {
      v.add(new Violation("status", "must be one of " + new TreeSet<>(STATUSES) + ", was \"" + status + "\""));
    }
    if (!v.isEmpty()) {
      throw RequestRefusedException.validation("the workflow is invalid", v);
    }
    return new NewWorkflow(workflowName, version, name, description, content, contentHash, labels, engine, owner,
        maintainer, image, digest, parameters == null || parameters.isNull() ? null : parameters, customLabels,
        detectedLabels, status == null ? "active" : status);
  }

  /**
   * A status change: {@code status} required, {@code status_reason} and {@code updated_by} (or
   * Kubernaut's {@code disabled_reason} and {@code disabled_by}) optional, nothing else.
   */
  record StatusChange(String status, String reason, String updatedBy) {}

  static StatusChange statusChange(JsonNode body) {
    List<Violation> v = new ArrayList<>();
    if (!body.isObject()) {
      throw RequestRefusedException.validation("the body must be a JSON object", List.of(new Violation("$", "must be an object")));
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
    String reason = either(body, "status_reason", "disabled_reason", 1024, v);
    String updatedBy = either(body, "updated_by", "disabled_by", 255, v);
    if (!v.isEmpty()) {
      throw RequestRefusedException.validation("invalid status change", v);
    }
    return new StatusChange(status, reason, updatedBy);
  }

  /**
   * Kubernaut's {@code PATCH …/{id}/disable}: an optional body of {@code reason} and {@code
   * updated_by}.
   */
  static StatusChange disable(JsonNode body) {
    List<Violation> v = new ArrayList<>();
    if (body == null) {
      return new StatusChange("disabled", null, null);
    }
    if (!body.isObject()) {
      throw RequestRefusedException.validation("the body must be a JSON object", List.of(new Violation("$", "must be an object")));
    }
    body.fieldNames().forEachRemaining(field -> {
      if (!field.equals("reason") && !field.equals("updated_by")) {
        v.add(new Violation(field, "is not a field of a disable request; send reason and updated_by"));
      }
    });
    String reason = text(body, "reason", false, 1024, v);
    String updatedBy = text(body, "updated_by", false, 255, v);
    if (!v.isEmpty()) {
      throw RequestRefusedException.validation("invalid disable request", v);
    }
    return new StatusChange("disabled", reason, updatedBy);
  }

  /** One of two names for the same field; both at once is a violation. */
  private static String either(JsonNode body, String name, String alias, int max, List<Violation> v) {
    if (body.has(name) && body.has(alias)) {
      v.add(new Violation(alias, "is another name for " + name + "; send one of them"));
      return null;
    }
    return body.has(alias) ? text(body, alias, false, max, v) : text(body, name, false, max, v);
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
    for (String label : SINGLE_VALUED_LABELS) {
      String value = text(labels, label, true, 100, v, "labels." + label);
      clean.put(label, value);
    }
    clean.set("environment", environments(labels.get("environment"), v));
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

  /**
   * {@code labels.environment}: a list of {@link #ENVIRONMENTS} (Kubernaut's contract), or one of
   * them as a string (as this catalog took it before), stored as a list.
   */
  private static ArrayNode environments(JsonNode node, List<Violation> v) {
    ArrayNode list = AuditEventJson.mapper().createArrayNode();
    String field = "labels.environment";
    if (node == null || node.isNull()) {
      v.add(new Violation(field, "is required: a list of " + new TreeSet<>(ENVIRONMENTS)));
      return list;
    }
    List<JsonNode> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(values::add);
    } else {
      values.add(node);
    }
    if (values.isEmpty()) {
      v.add(new Violation(field, "must name at least one environment (\"*\" for any)"));
    }
    for (JsonNode value : values) {
      if (!value.isTextual() || !ENVIRONMENTS.contains(value.textValue())) {
        v.add(new Violation(field, "each must be one of " + new TreeSet<>(ENVIRONMENTS) + ", was " + value));
      } else if (!contains(list, value.textValue())) {
        list.add(value.textValue());
      }
    }
    return list;
  }

  private static boolean contains(ArrayNode list, String value) {
    for (JsonNode n : list) {
      if (n.textValue().equals(value)) {
        return true;
      }
    }
    return false;
  }

  /** {@code custom_labels}: an object whose every value is a list of strings. */
  private static ObjectNode customLabels(JsonNode node, List<Violation> v) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      v.add(new Violation("custom_labels", "must be a JSON object of lists of strings"));
      return null;
    }
    node.fields().forEachRemaining(label -> {
      boolean strings = label.getValue().isArray();
      for (JsonNode item : label.getValue()) {
        strings &= item.isTextual();
      }
      if (!strings) {
        v.add(new Violation("custom_labels." + label.getKey(), "must be a list of strings"));
      }
    });
    return (ObjectNode) node;
  }

  private static ObjectNode object(JsonNode body, String field, List<Violation> v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      v.add(new Violation(field, "must be a JSON object"));
      return null;
    }
    return (ObjectNode) node;
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

}
