package dev.auditflow.server.completeness;

import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.http.TimeParameter;
import dev.auditflow.server.trail.ProducerEpochAccount;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api/v1/producers} and {@code GET /api/v1/producers/{producer_id}/epochs/{epoch}}:
 * each producer epoch's accounts — first and last number, stored, declared by reason, gaps, state,
 * last seen (docs/COMPLETENESS.md).
 */
public final class ProducerRoutes {
  public static final String PRODUCERS = "/api/v1/producers";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1_000;

  private final Completeness completeness;
  private final Clock clock;

  public ProducerRoutes(Completeness completeness, Clock clock) {
    this.completeness = completeness;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.get(PRODUCERS, this::list);
    config.routes.get(PRODUCERS + "/{producer_id}/epochs/{epoch}", this::epoch);
  }

  private void list(Context ctx) {
    List<Violation> violations = new ArrayList<>();
    Instant since = null;
    String sinceText = ctx.queryParam("since");
    if (sinceText != null) {
      since = TimeParameter.parse(sinceText, clock).orElse(null);
      if (since == null) {
        violations.add(new Violation("since", "must be " + TimeParameter.FORMS));
      }
    }
    Completeness.Selection selection = Completeness.Selection.parse(ctx.queryParam("state")).orElse(null);
    if (selection == null) {
      violations.add(new Violation("state", "must be one of open, closed, abandoned, with-gaps"));
    }
    int limit = DEFAULT_LIMIT;
    String limitText = ctx.queryParam("limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        violations.add(new Violation("limit", "must be an integer from 1 to " + MAX_LIMIT));
      }
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid producers query", violations);
    }
    List<Completeness.EpochReport> reports = completeness.epochs(since, ctx.queryParam("producer_id"), selection, limit);
    ctx.attribute(AccessAudit.RESULTS, reports.size());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("epochs", reports.stream().map(ProducerRoutes::json).toList());
    answer.put("total", reports.size());
    answer.put("accounted_for", reports.stream().allMatch(Completeness.EpochReport::accountedFor));
    answer.put("grace_seconds", completeness.grace().toSeconds());
    Json.write(ctx, 200, answer);
  }

  private void epoch(Context ctx) {
    String producerId = ctx.pathParam("producer_id");
    UUID epoch = StrictUuid.parse(ctx.pathParam("epoch")).orElseThrow(() -> RequestRefusedException.validation(
        "invalid epoch", List.of(new Violation("epoch", "must be a UUID"))));
    Completeness.EpochReport report = completeness.epoch(producerId, epoch).orElseThrow(
        () -> new NotFoundException("no epoch " + epoch + " of producer " + producerId));
    ctx.attribute(AccessAudit.RESULTS, 1);
    Json.write(ctx, 200, json(report));
  }

  static Map<String, Object> json(Completeness.EpochReport report) {
    ProducerEpochAccount a = report.account();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("producer_id", a.producerId());
    json.put("epoch", a.epoch().toString());
    json.put("state", report.state().wireName());
    json.put("accounted_for", report.accountedFor());
    json.put("principal", a.principal());
    json.put("first_seq", report.lastSeq() == 0 ? null : 1);
    json.put("last_seq", report.lastSeq());
    json.put("issued_seq", a.issuedSeq() == 0 ? null : a.issuedSeq());
    json.put("closed", a.closed());
    json.put("stored", a.stored());
    json.put("declared", a.declared());
    json.put("missing", report.missing());
    json.put("gaps", report.gaps().stream().map(g -> gap(g, report)).toList());
    json.put("first_seen", Timestamps.format(a.firstSeen()));
    json.put("last_seen", Timestamps.format(a.lastSeen()));
    json.put("closed_at", a.closedAt() == null ? null : Timestamps.format(a.closedAt()));
    return json;
  }

  private static Map<String, Object> gap(ProducerEpochAccount.Gap g, Completeness.EpochReport report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("first_seq", g.first());
    json.put("last_seq", g.last());
    json.put("count", g.count());
    json.put("first_seen", Timestamps.format(g.firstSeen()));
    json.put("unaccounted", report.unaccounted().contains(g));
    return json;
  }
}
