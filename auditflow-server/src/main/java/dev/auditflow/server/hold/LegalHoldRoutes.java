package dev.auditflow.server.hold;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.auth.AuthFilter;
import dev.auditflow.server.auth.Principal;
import dev.auditflow.server.failure.ProblemReason;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.ServerRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/audit/legal-hold}, in Kubernaut's shapes: place (200), list active holds
 * ({@code {holds, total}}), release by correlation (200). Who placed or released a hold is the
 * authenticated principal; with authentication off, Kubernaut's {@code X-User-ID} header if sent.
 */
public final class LegalHoldRoutes {
  public static final String HOLDS = "/api/v1/audit/legal-hold";
  private static final long MAX_BODY = 64 * 1024;
  private static final int MAX_TEXT = 1_000;

  private final LegalHolds holds;

  public LegalHoldRoutes(LegalHolds holds) {
    this.holds = holds;
  }

  public void register(JavalinConfig config) {
    config.routes.post(HOLDS, this::place);
    config.routes.get(HOLDS, this::list);
    config.routes.delete(HOLDS + "/{correlation_id}", this::release);
  }

  private void place(Context ctx) {
    JsonNode body = Json.readBody(ctx, MAX_BODY);
    List<Violation> violations = new ArrayList<>();
    String correlationId = text(body, "correlation_id", 255, violations);
    String reason = text(body, "reason", MAX_TEXT, violations);
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid legal hold", violations).because(
          violations.get(0).field().equals("correlation_id") ? ProblemReason.MISSING_CORRELATION_ID
              : ProblemReason.MISSING_REASON);
    }
    LegalHolds.Hold hold = holds.place(correlationId, reason, actor(ctx));
    Json.write(ctx, 200, json(hold));
  }

  private void list(Context ctx) {
    List<Map<String, Object>> active = holds.active().stream().map(LegalHoldRoutes::json).toList();
    ctx.attribute(AccessAudit.RESULTS, active.size());
    Json.write(ctx, 200, Map.of("holds", active, "total", active.size()));
  }

  private void release(Context ctx) {
    JsonNode body = Json.readBody(ctx, MAX_BODY);
    List<Violation> violations = new ArrayList<>();
    String reason = text(body, "release_reason", MAX_TEXT, violations);
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid release", violations).because(ProblemReason.MISSING_RELEASE_REASON);
    }
    LegalHolds.Release released = holds.release(ctx.pathParam("correlation_id"), reason, actor(ctx));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("correlation_id", released.correlationId());
    answer.put("events_released", released.eventsReleased());
    answer.put("released_by", released.releasedBy());
    answer.put("released_at", Timestamps.format(released.releasedAt()));
    answer.put("release_reason", released.reason());
    Json.write(ctx, 200, answer);
  }

  private static ServerRecord.Actor actor(Context ctx) {
    Principal principal = AuthFilter.principal(ctx);
    String userId = ctx.header("X-User-ID");
    if (principal == Principal.ANONYMOUS && userId != null && !userId.isBlank()) {
      return ServerRecord.Actor.named("user:" + userId.trim()); // authentication is off: Kubernaut's header says who
    }
    return principal.actor(AuthFilter.clientAddress(ctx));
  }

  private static String text(JsonNode body, String field, int max, List<Violation> violations) {
    JsonNode node = body.get(field);
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      violations.add(new Violation(field, "is required: a non-empty string"));
      return null;
    }
    if (node.asText().length() > max) {
      violations.add(new Violation(field, "must be at most " + max + " characters, was " + node.asText().length()));
      return null;
    }
    return node.asText();
  }

  private static Map<String, Object> json(LegalHolds.Hold hold) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("correlation_id", hold.correlationId());
    json.put("events_affected", hold.eventsAffected());
    json.put("placed_by", hold.placedBy());
    json.put("placed_at", Timestamps.format(hold.placedAt()));
    json.put("reason", hold.reason());
    return json;
  }
}
