package dev.auditflow.server.export;

import dev.auditflow.api.ProblemType;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.auth.AuthFilter;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.failure.ProblemReason;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.http.TimeParameter;
import dev.auditflow.verify.PublicKeys;
import dev.auditflow.server.signing.SigningKey;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/audit/export} — Kubernaut's signed JSON page ({@code format=json}, the
 * default; {@code offset}, {@code limit} ≤ 10 000) or a signed NDJSON stream of any size ({@code
 * format=ndjson}) — and {@code GET /api/v1/audit/signing-key}, the public key that verifies them.
 */
public final class ExportRoutes {
  private static final Logger log = LoggerFactory.getLogger(ExportRoutes.class);
  public static final String EXPORT = "/api/v1/audit/export";
  public static final String SIGNING_KEY = "/api/v1/audit/signing-key";
  private static final Set<String> PARAMETERS = Set.of("start_time", "end_time", "correlation_id", "event_category",
      "format", "include_detached_signature", "offset", "limit", "redact_pii");

  private final JsonExporter json;
  private final NdjsonExporter ndjson;
  private final AccessAudit access;
  private final SigningKey key;
  private final Clock clock;

  public ExportRoutes(JsonExporter json, NdjsonExporter ndjson, AccessAudit access, SigningKey key, Clock clock) {
    this.json = json;
    this.ndjson = ndjson;
    this.access = access;
    this.key = key;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.get(EXPORT, this::export);
    config.routes.get(SIGNING_KEY, this::signingKey);
  }

  private void export(Context ctx) {
    List<Violation> violations = new ArrayList<>();
    for (String name : ctx.queryParamMap().keySet()) {
      if (!PARAMETERS.contains(name)) {
        violations.add(new Violation(name, "is not a parameter of the export; use " + new TreeSet<>(PARAMETERS)));
      }
    }
    Instant start = time(ctx, "start_time", violations);
    Instant end = time(ctx, "end_time", violations);
    if (start != null && end != null && end.isBefore(start)) {
      violations.add(new Violation("end_time", "is before start_time"));
    }
    String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
    if (!format.equals("json") && !format.equals("ndjson")) {
      violations.add(new Violation("format", "must be json or ndjson, was \"" + format + "\""));
    }
    boolean redact = flag(ctx, "redact_pii", violations);
    boolean detached = flag(ctx, "include_detached_signature", violations);
    int offset = integer(ctx, "offset", 0, violations);
    int limit = integer(ctx, "limit", JsonExporter.DEFAULT_LIMIT, violations);
    if (format.equals("ndjson") && (ctx.queryParam("offset") != null || ctx.queryParam("limit") != null)) {
      violations.add(new Violation("format", "ndjson streams everything that matches; offset and limit are for json"));
    }
    if (offset < 0) {
      violations.add(new Violation("offset", "must be >= 0"));
    }
    if (limit < 1) {
      violations.add(new Violation("limit", "must be >= 1"));
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid query parameters", violations);
    }
    if (limit > JsonExporter.MAX_LIMIT) {
      throw RequestRefusedException.of(ProblemType.PAYLOAD_TOO_LARGE, "limit " + limit + " is over the " + JsonExporter.MAX_LIMIT
          + " events of one json export; page with offset, or stream everything with format=ndjson")
          .because(ProblemReason.EXPORT_LIMIT_EXCEEDED);
    }
    ExportFilters filters = new ExportFilters(start, end, ctx.queryParam("correlation_id"),
        ctx.queryParam("event_category"), redact);
    String exportedBy = AuthFilter.principal(ctx).name();
    ctx.attribute(AccessAudit.DETAILS, Map.of("format", format, "filters", filters.toMap(), "redact_pii", redact));
    if (format.equals("json")) {
      var answer = json.export(filters, offset, limit, exportedBy, detached);
      ctx.attribute(AccessAudit.RESULTS, answer.get("events").size());
      Json.write(ctx, 200, answer);
      return;
    }
    stream(ctx, filters, exportedBy);
  }

  private void stream(Context ctx, ExportFilters filters, String exportedBy) {
    access.recordBeforeStreaming(ctx); // the access is on record before the first byte leaves
    ctx.status(200);
    ctx.contentType(ExportFormat.MEDIA_TYPE);
    ctx.header("Content-Disposition", "attachment; filename=\"auditflow-export.ndjson\"");
    try {
      OutputStream out = new BufferedOutputStream(ctx.res().getOutputStream(), 64 * 1024);
      NdjsonExporter.Summary summary = ndjson.export(filters, exportedBy, out);
      out.flush();
      log.info("export streamed events={} chains={} redacted={} sha256={} exported_by={}", summary.events(),
          summary.chains(), summary.redactedEvents(), summary.contentSha256(), exportedBy);
    } catch (IOException | RuntimeException e) {
      // The answer has begun and cannot become an error: it ends without its signed trailer,
      // which every verifier (and `auditflow export`) reports as a truncated export.
      log.error("export cut short exported_by={} error=\"{}\"", exportedBy, e.getMessage());
    }
  }

  private void signingKey(Context ctx) {
    if ("pem".equals(ctx.queryParam("format"))) {
      ctx.contentType("application/x-pem-file");
      ctx.result(PublicKeys.pem(key.publicKey()));
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("key_id", key.keyId());
    answer.put("algorithm", SigningKey.ALGORITHM);
    answer.put("public_key", PublicKeys.pem(key.publicKey()));
    Json.write(ctx, 200, answer);
  }

  private Instant time(Context ctx, String name, List<Violation> violations) {
    String text = ctx.queryParam(name);
    if (text == null || text.isEmpty()) {
      return null;
    }
    return TimeParameter.parse(text, clock).orElseGet(() -> {
      violations.add(new Violation(name, "must be " + TimeParameter.FORMS + ", was \"" + text + "\""));
      return null;
    });
  }

  private static boolean flag(Context ctx, String name, List<Violation> violations) {
    String text = ctx.queryParam(name);
    if (text == null || text.equals("false")) {
      return false;
    }
    if (text.equals("true")) {
      return true;
    }
    violations.add(new Violation(name, "must be true or false, was \"" + text + "\""));
    return false;
  }

  private static int integer(Context ctx, String name, int absent, List<Violation> violations) {
    String text = ctx.queryParam(name);
    if (text == null) {
      return absent;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      violations.add(new Violation(name, "must be an integer, was \"" + text + "\""));
      return absent;
    }
  }
}
