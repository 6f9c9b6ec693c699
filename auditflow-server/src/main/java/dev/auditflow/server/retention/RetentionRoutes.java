package dev.auditflow.server.retention;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.auth.AuthFilter;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.PurgeReport;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The retention API: {@code GET/PUT /api/v1/admin/retention-policies}, {@code DELETE
 * …/{policy_id}}, and {@code POST /api/v1/admin/purge} (with {@code dry_run}).
 */
public final class RetentionRoutes {
  public static final String POLICIES = "/api/v1/admin/retention-policies";
  public static final String PURGE = "/api/v1/admin/purge";
  private static final long MAX_BODY = 64 * 1024;

  private final RetentionPolicies policies;
  private final AuditTrail trail;
  private final long maxEventsPerRun;

  public RetentionRoutes(RetentionPolicies policies, AuditTrail trail, long maxEventsPerRun) {
    this.policies = policies;
    this.trail = trail;
    this.maxEventsPerRun = maxEventsPerRun;
  }

  public void register(JavalinConfig config) {
    config.routes.get(POLICIES, this::list);
    config.routes.put(POLICIES, this::put);
    config.routes.delete(POLICIES + "/{policy_id}", this::delete);
    config.routes.post(PURGE, this::purge);
  }

  private void list(Context ctx) {
    List<Map<String, Object>> data = policies.list().stream().map(RetentionRoutes::json).toList();
    ctx.attribute(AccessAudit.RESULTS, data.size());
    Json.write(ctx, 200, Map.of("data", data));
  }

  private void put(Context ctx) {
    JsonNode body = Json.readBody(ctx, MAX_BODY);
    List<Violation> violations = new ArrayList<>();
    String category = optionalText(body, "event_category", violations);
    String type = optionalText(body, "event_type", violations);
    Integer days = days(body, "retention_days", true, violations);
    Integer minimum = days(body, "minimum_days", false, violations);
    if (days != null && minimum != null && minimum > days) {
      violations.add(new Violation("minimum_days", "must not exceed retention_days (" + days + "), was " + minimum));
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid retention policy", violations);
    }
    RetentionPolicies.Policy policy = policies.put(category, type, days, minimum, AuthFilter.principal(ctx).name());
    ctx.attribute(AccessAudit.DETAILS, json(policy));
    Json.write(ctx, 200, json(policy));
  }

  private void delete(Context ctx) {
    String text = ctx.pathParam("policy_id");
    UUID id = StrictUuid.parse(text).orElseThrow(() -> RequestRefusedException.validation("invalid policy id",
        List.of(new Violation("policy_id", "must be a UUID, was \"" + text + "\""))));
    RetentionPolicies.Policy removed;
    try {
      removed = policies.delete(id).orElseThrow(() -> new NotFoundException("no retention policy with id " + id));
    } catch (IllegalArgumentException e) {
      throw RequestRefusedException.validation("the default policy stays", List.of(new Violation("policy_id", e.getMessage())));
    }
    ctx.attribute(AccessAudit.DETAILS, json(removed));
    Json.write(ctx, 200, json(removed));
  }

  private void purge(Context ctx) {
    JsonNode body = ctx.body().isBlank() ? null : Json.readBody(ctx, MAX_BODY);
    JsonNode dryRun = body == null ? null : body.get("dry_run");
    if (dryRun != null && !dryRun.isBoolean()) {
      throw RequestRefusedException.validation("invalid purge request", List.of(new Violation("dry_run", "must be true or false")));
    }
    PurgeReport report = trail.purge(dryRun != null && dryRun.asBoolean(), maxEventsPerRun,
        AuthFilter.principal(ctx).actor(AuthFilter.clientAddress(ctx)));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("purge_id", report.purgeId().toString());
    answer.put("dry_run", report.dryRun());
    answer.put("events_purged", report.eventsPurged());
    answer.put("chains_purged", report.chainsPurged());
    answer.put("partitions_dropped", report.partitionsDropped());
    answer.put("held_skipped", report.heldSkipped());
    answer.put("complete", report.complete());
    answer.put("duration_ms", report.duration().toMillis());
    ctx.attribute(AccessAudit.DETAILS, answer);
    Json.write(ctx, 200, answer);
  }

  private static String optionalText(JsonNode body, String field, List<Violation> violations) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > 255) {
      violations.add(new Violation(field, "must be a non-empty string of at most 255 characters, or absent"));
      return null;
    }
    return node.asText();
  }

  private static Integer days(JsonNode body, String field, boolean required, List<Violation> violations) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        violations.add(new Violation(field, "is required: 1 to " + EventValidator.MAX_RETENTION_DAYS));
      }
      return null;
    }
    if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > EventValidator.MAX_RETENTION_DAYS) {
      violations.add(new Violation(field, "must be an integer from 1 to " + EventValidator.MAX_RETENTION_DAYS));
      return null;
    }
    return node.asInt();
  }

  private static Map<String, Object> json(RetentionPolicies.Policy p) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("policy_id", p.id().toString());
    json.put("event_category", p.eventCategory());
    json.put("event_type", p.eventType());
    json.put("retention_days", p.retentionDays());
    json.put("minimum_days", p.minimumDays());
    json.put("updated_by", p.updatedBy());
    json.put("updated_at", Timestamps.format(p.updatedAt()));
    return json;
  }
}
