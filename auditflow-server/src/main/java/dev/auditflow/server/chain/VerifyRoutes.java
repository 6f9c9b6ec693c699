package dev.auditflow.server.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.http.TimeParameter;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/audit/verify}: {@code {correlation_id}} or {@code {since, until}} — times in
 * every form the query API takes ({@link TimeParameter}: {@code 1h}, RFC 3339, a date), {@code
 * until} defaulting to now.
 */
public final class VerifyRoutes {
  public static final String VERIFY = "/api/v1/audit/verify";
  private static final long MAX_BODY = 64 * 1024;

  private final ChainVerifier verifier;
  private final Clock clock;

  public VerifyRoutes(ChainVerifier verifier, Clock clock) {
    this.verifier = verifier;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.post(VERIFY, this::verify);
  }

  private void verify(Context ctx) {
    JsonNode body = Json.readBody(ctx, MAX_BODY);
    if (!body.isObject()) {
      throw RequestRefusedException.validation("the body must be a JSON object", List.of(new Violation("$", "must be an object")));
    }
    JsonNode correlation = body.get("correlation_id");
    ChainVerifier.Result result;
    if (correlation != null && !correlation.isNull()) {
      if (!correlation.isTextual() || correlation.asText().isEmpty()) {
        throw RequestRefusedException.validation("invalid verification request",
            List.of(new Violation("correlation_id", "must be a non-empty string")));
      }
      if (correlation.asText().indexOf('\u0000') >= 0) {
        // No stored correlation id can hold it (PostgreSQL text cannot), and asking would fail.
        throw RequestRefusedException.validation("invalid verification request",
            List.of(new Violation("correlation_id", "must not contain the NUL character (U+0000)")));
      }
      result = verifier.verifyCorrelation(correlation.asText());
    } else {
      List<Violation> violations = new ArrayList<>();
      Instant since = time(body, "since", violations);
      Instant until = body.hasNonNull("until") ? time(body, "until", violations) : clock.instant();
      if (violations.isEmpty() && !since.isBefore(until)) {
        violations.add(new Violation("until", "must be after since"));
      }
      if (!violations.isEmpty()) {
        throw RequestRefusedException.validation("give correlation_id, or since and until", violations);
      }
      try {
        result = verifier.verifyRange(since, until);
      } catch (IllegalArgumentException e) {
        throw RequestRefusedException.validation("range too large", List.of(new Violation("since", e.getMessage())));
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("verified", result.verified());
    answer.put("events_checked", result.eventsChecked());
    answer.put("chains_checked", result.chainsChecked());
    answer.put("first_break", result.firstBreak() == null ? null : breakJson(result.firstBreak()));
    Json.write(ctx, 200, answer);
  }

  static Map<String, Object> breakJson(ChainVerifier.Break b) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("correlation_id", b.correlationId());
    json.put("event_id", b.eventId());
    json.put("position", b.position());
    json.put("reason", b.reason());
    json.put("detail", b.detail());
    return json;
  }

  private Instant time(JsonNode body, String field, List<Violation> violations) {
    JsonNode node = body.get(field);
    if (node == null || !node.isTextual()) {
      violations.add(new Violation(field, "is required when correlation_id is absent: " + TimeParameter.FORMS));
      return null;
    }
    return TimeParameter.parse(node.asText(), clock).orElseGet(() -> {
      violations.add(new Violation(field, "must be " + TimeParameter.FORMS + ", was \"" + node.asText() + "\""));
      return null;
    });
  }
}
