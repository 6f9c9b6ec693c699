package dev.auditflow.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST/GET/DELETE /api/v1/admin/tokens}: API tokens, managed by admins. The token's value
 * is in the answer to its creation and nowhere else, ever.
 */
public final class TokenRoutes {
  public static final String TOKENS = "/api/v1/admin/tokens";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  private static final long MAX_BODY = 16 * 1024;

  private final ApiTokens tokens;

  public TokenRoutes(ApiTokens tokens) {
    this.tokens = tokens;
  }

  public void register(JavalinConfig config) {
    config.routes.post(TOKENS, this::create);
    config.routes.get(TOKENS, this::list);
    config.routes.delete(TOKENS + "/{token_id}", this::revoke);
  }

  private void create(Context ctx) {
    JsonNode body = Json.readBody(ctx, MAX_BODY);
    List<Violation> violations = new ArrayList<>();
    String name = body.path("name").isTextual() ? body.path("name").asText() : null;
    if (name == null || !NAME.matcher(name).matches()) {
      violations.add(new Violation("name", "is required: 1 to 100 of A-Z a-z 0-9 . _ -"));
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    JsonNode rolesJson = body.path("roles");
    if (!rolesJson.isArray() || rolesJson.isEmpty()) {
      violations.add(new Violation("roles", "is required: a non-empty array of writer, reader, auditor, admin"));
    } else {
      for (JsonNode r : rolesJson) {
        Role.fromWireName(r.asText()).ifPresentOrElse(roles::add,
            () -> violations.add(new Violation("roles", "unknown role \"" + r.asText() + "\"; use writer, reader, auditor, admin")));
      }
    }
    Duration validity = null;
    JsonNode days = body.path("expires_in_days");
    if (!days.isMissingNode() && !days.isNull()) {
      if (!days.isIntegralNumber() || days.asLong() < 1 || days.asLong() > 3650) {
        violations.add(new Violation("expires_in_days", "must be an integer from 1 to 3650"));
      } else {
        validity = Duration.ofDays(days.asLong());
      }
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid token request", violations);
    }
    ApiTokens.Issued issued = tokens.create(name, roles, validity, AuthFilter.principal(ctx).name());
    Map<String, Object> made = json(issued.token());
    ctx.attribute(AccessAudit.DETAILS, made);
    Map<String, Object> answer = new LinkedHashMap<>(made);
    answer.put("token", issued.secret());
    Json.write(ctx, 201, answer);
  }

  private void list(Context ctx) {
    List<Map<String, Object>> data = tokens.list().stream().map(TokenRoutes::json).toList();
    ctx.attribute(AccessAudit.RESULTS, data.size());
    Json.write(ctx, 200, Map.of("data", data));
  }

  private void revoke(Context ctx) {
    String text = ctx.pathParam("token_id");
    UUID id = StrictUuid.parse(text).orElseThrow(() -> RequestRefusedException.validation("invalid token id",
        List.of(new Violation("token_id", "must be a UUID, was \"" + text + "\""))));
    ApiTokens.Token revoked = tokens.revoke(id)
        .orElseThrow(() -> new NotFoundException("no token with id " + id));
    Map<String, Object> answer = json(revoked);
    ctx.attribute(AccessAudit.DETAILS, answer);
    Json.write(ctx, 200, answer);
  }

  private static Map<String, Object> json(ApiTokens.Token t) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("token_id", t.id());
    json.put("name", t.name());
    json.put("roles", t.roles().stream().map(Role::wireName).toList());
    json.put("created_by", t.createdBy());
    json.put("created_at", Timestamps.format(t.createdAt()));
    json.put("expires_at", t.expiresAt() == null ? null : Timestamps.format(t.expiresAt()));
    json.put("revoked_at", t.revokedAt() == null ? null : Timestamps.format(t.revokedAt()));
    json.put("last_used_at", t.lastUsedAt() == null ? null : Timestamps.format(t.lastUsedAt()));
    return json;
  }
}
