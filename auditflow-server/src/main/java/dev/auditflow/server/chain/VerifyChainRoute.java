package dev.auditflow.server.chain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.failure.ProblemReason;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/audit/verify-chain}: Kubernaut's request ({@code {correlation_id}}) and
 * answer ({@code correlation_id, is_valid, total_events, verified_events, tampered_events,
 * verification_time, message}; 200 also when tampered), computed by auditflow's verifier — which
 * also names the kind of break, given here in {@code first_break} as {@code /verify} gives it.
 */
public final class VerifyChainRoute {
  public static final String VERIFY_CHAIN = "/api/v1/audit/verify-chain";
  private static final long MAX_BODY = 64 * 1024;

  private final ChainVerifier verifier;
  private final Clock clock;

  public VerifyChainRoute(ChainVerifier verifier, Clock clock) {
    this.verifier = verifier;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.post(VERIFY_CHAIN, this::verifyChain);
  }

  private void verifyChain(Context ctx) {
    String correlationId = correlationId(Json.readBody(ctx, MAX_BODY));
    ChainVerifier.Result result = verifier.verifyCorrelation(correlationId);
    long total = verifier.countEvents(correlationId);
    ChainVerifier.Break b = result.firstBreak();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("correlation_id", correlationId);
    answer.put("is_valid", result.verified());
    answer.put("total_events", total);
    answer.put("verified_events", b == null ? result.eventsChecked() : Math.max(0, b.position() - 1));
    List<Map<String, Object>> tampered = new ArrayList<>();
    if (b != null) {
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("event_id", b.eventId() == null ? null : b.eventId().toString());
      event.put("event_timestamp", b.eventTimestamp() == null ? null : Timestamps.format(b.eventTimestamp()));
      event.put("expected_hash", b.expectedHash());
      event.put("actual_hash", b.actualHash());
      event.put("previous_hash", b.previousHash());
      event.put("message", b.reason() + " at position " + b.position() + ": " + b.detail());
      event.values().removeIf(java.util.Objects::isNull);
      tampered.add(event);
    }
    answer.put("tampered_events", tampered);
    answer.put("verification_time", Timestamps.format(clock.instant()));
    answer.put("message", message(result, total));
    answer.put("first_break", b == null ? null : VerifyRoutes.breakJson(b));
    Json.write(ctx, 200, answer);
  }

  private static String message(ChainVerifier.Result result, long total) {
    if (total == 0 && result.verified()) {
      return "No events found for correlation_id";
    }
    if (result.verified()) {
      return "Hash chain verified successfully: no tampering detected (" + total + " events)";
    }
    ChainVerifier.Break b = result.firstBreak();
    return "Hash chain verification FAILED: tampering detected (" + b.reason() + " at position " + b.position() + ")";
  }

  private static String correlationId(JsonNode body) {
    JsonNode node = body.isObject() ? body.get("correlation_id") : null;
    if (node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty())) {
      throw RequestRefusedException.validation("Field 'correlation_id' is required",
          List.of(new Violation("correlation_id", "is required"))).because(ProblemReason.MISSING_CORRELATION_ID);
    }
    String problem = null;
    if (!node.isTextual()) {
      problem = "must be a string";
    } else if (node.asText().codePointCount(0, node.asText().length()) > 255) {
      problem = "must be at most 255 characters";
    } else if (node.asText().indexOf('\u0000') >= 0) {
      problem = "must not contain the NUL character (U+0000)";
    }
    if (problem != null) {
      throw RequestRefusedException.validation("Field 'correlation_id' " + problem, List.of(new Violation("correlation_id", problem)))
          .because(ProblemReason.INVALID_CORRELATION_ID);
    }
    return node.asText();
  }
}
