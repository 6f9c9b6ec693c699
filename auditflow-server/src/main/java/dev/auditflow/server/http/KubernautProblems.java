package dev.auditflow.server.http;

import dev.auditflow.api.Problem;
import dev.auditflow.server.failure.ProblemReason;
import java.util.Map;

/**
 * Kubernaut's problem vocabulary on the routes it defines ({@code /api/v1/audit/…} and {@code
 * /api/v1/workflows…}): its type URIs ({@code https://kubernaut.ai/problems/<slug>}) and titles,
 * from its Data Storage handlers and the tests that match on them. auditflow's detail, {@code
 * errors} and {@code field_errors} stay. Where Kubernaut answers a refusal with another status (a
 * batch over the limit is its 400, auditflow's 413), its status is used. docs/KUBERNAUT.md lists
 * the whole mapping.
 */
public final class KubernautProblems implements ProblemVocabulary {
  public static final String TYPE_PREFIX = "https://kubernaut.ai/problems/";

  private record Wording(String slug, String title, Integer status) {
    Wording(String slug, String title) {
      this(slug, title, null);
    }
  }

  /** auditflow's slug → Kubernaut's, wherever no route says otherwise. */
  private static final Map<String, Wording> GENERAL = Map.ofEntries(
      Map.entry("validation-error", new Wording("validation-error", "Validation Error")),
      Map.entry("malformed-json", new Wording("invalid-request", "Invalid Request")),
      Map.entry("bad-request", new Wording("invalid-request", "Invalid Request")),
      Map.entry("unauthorized", new Wording("unauthorized", "Unauthorized")),
      Map.entry("forbidden", new Wording("forbidden", "Forbidden")),
      Map.entry("not-found", new Wording("not-found", "Not Found")),
      Map.entry("method-not-allowed", new Wording("method-not-allowed", "Method Not Allowed")),
      Map.entry("conflict", new Wording("conflict", "Conflict")),
      Map.entry("payload-too-large", new Wording("request-too-large", "Request Entity Too Large")),
      Map.entry("too-many-requests", new Wording("rate-limit-exceeded", "Rate Limit Exceeded")),
      Map.entry("unsupported-media-type", new Wording("unsupported-media-type", "Unsupported Media Type")),
      // No Kubernaut equivalent; a 4xx, so that its client does not retry what fails the same way again.
      Map.entry("query-too-expensive", new Wording("query-too-expensive", "Query Too Expensive")),
      Map.entry("internal-error", new Wording("internal-error", "Internal Server Error")),
      Map.entry("service-unavailable", new Wording("service-unavailable", "Service Unavailable")),
      Map.entry("server-busy", new Wording("service-unavailable", "Service Unavailable")),
      // No Kubernaut equivalent: the write may have been stored; Kubernaut's client retries any 503.
      Map.entry("outcome-unknown", new Wording("outcome-unknown", "Outcome Unknown")));

  @Override
  public Problem word(Problem problem, ProblemReason reason, String method, String path) {
    if (!path.startsWith("/api/v1/audit/") && !path.startsWith("/api/v1/workflows")) {
      return problem;
    }
    String slug = problem.slug();
    Wording wording = byRoute(slug, reason, method, path);
    if (wording == null) {
      wording = GENERAL.get(slug);
    }
    if (wording == null) {
      return problem;
    }
    int status = wording.status() == null ? problem.status() : wording.status();
    return new Problem(TYPE_PREFIX + wording.slug(), wording.title(), status, problem.detail(), problem.errors(),
        problem.fieldErrors());
  }

  /** Where a Kubernaut handler words a refusal its own way; null where the general table applies. */
  private static Wording byRoute(String slug, ProblemReason reason, String method, String path) {
    boolean malformed = slug.equals("malformed-json");
    switch (method + " " + path) {
      case "POST /api/v1/audit/events/batch" -> {
        if (malformed || reason == ProblemReason.NOT_AN_ARRAY) {
          return new Wording("invalid_request", "Invalid Request");
        }
        if (reason == ProblemReason.BATCH_TOO_LARGE) {
          return new Wording("batch-size-exceeded", "Batch Size Exceeded", 400);
        }
      }
      case "POST /api/v1/audit/events" -> {
        if (malformed) {
          return new Wording("invalid_request", "Invalid Request");
        }
      }
      case "POST /api/v1/audit/verify-chain" -> {
        if (malformed) {
          return new Wording("invalid-request-body", "Invalid Request Body");
        }
        if (reason == ProblemReason.MISSING_CORRELATION_ID) {
          return new Wording("missing-correlation-id", "Missing Required Field");
        }
        if (reason == ProblemReason.INVALID_CORRELATION_ID) {
          return new Wording("invalid-correlation-id", "Invalid Correlation ID");
        }
        if (slug.equals("internal-error")) {
          return new Wording("verify-chain/internal-error", "Verification Failed");
        }
      }
      case "GET /api/v1/audit/export" -> {
        if (reason == ProblemReason.EXPORT_LIMIT_EXCEEDED) {
          return new Wording("export/limit-exceeded", "Payload Too Large");
        }
        if (slug.equals("validation-error")) {
          return new Wording("export/invalid-parameters", "Validation Error");
        }
        if (slug.equals("unauthorized")) {
          return new Wording("export/unauthorized", "Unauthorized");
        }
        if (slug.equals("internal-error")) {
          return new Wording("export/query-failed", "Export Failed");
        }
      }
      case "POST /api/v1/workflows" -> {
        if (slug.equals("conflict")) {
          return new Wording("conflict", "Workflow Already Exists");
        }
      }
      default -> {
        if (path.startsWith("/api/v1/audit/legal-hold")) {
          return legalHold(malformed, reason);
        }
      }
    }
    return null;
  }

  private static Wording legalHold(boolean malformed, ProblemReason reason) {
    if (malformed) {
      return new Wording("invalid-request", "Invalid Request");
    }
    if (reason == ProblemReason.MISSING_CORRELATION_ID) {
      return new Wording("missing-correlation-id", "Missing Correlation ID");
    }
    if (reason == ProblemReason.MISSING_REASON) {
      return new Wording("missing-reason", "Missing Reason");
    }
    if (reason == ProblemReason.MISSING_RELEASE_REASON) {
      return new Wording("missing-release-reason", "Missing Release Reason");
    }
    return null;
  }
}
