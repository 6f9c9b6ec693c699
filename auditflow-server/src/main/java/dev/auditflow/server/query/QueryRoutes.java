package dev.auditflow.server.query;

import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.AuditTrail;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code GET /api/v1/audit/events}, {@code …/count} and {@code …/{event_id}}. */
public final class QueryRoutes {
  public static final String LIST = "/api/v1/audit/events";
  public static final String COUNT = "/api/v1/audit/events/count";
  public static final String HISTOGRAM = "/api/v1/audit/events/histogram";
  public static final String BY_ID = "/api/v1/audit/events/{event_id}";

  private final AuditTrail trail;
  private final QueryParameters parameters;
  private final java.time.Clock clock;

  public QueryRoutes(AuditTrail trail, QueryParameters parameters, java.time.Clock clock) {
    this.trail = trail;
    this.parameters = parameters;
    this.clock = clock;
  }

  public void register(JavalinConfig config) {
    config.routes.get(LIST, this::list);
    config.routes.get(COUNT, this::count);
    config.routes.get(HISTOGRAM, this::histogram);
    config.routes.get(BY_ID, this::byId);
  }

  private void list(Context ctx) {
    QueryParameters.ListRequest request = parameters.list(ctx.queryParamMap());
    AuditTrail.EventPage result = trail.list(request.filter(), request.page());
    Map<String, Object> pagination = new LinkedHashMap<>();
    pagination.put("limit", request.page().limit());
    if (request.page().after() == null) {
      // Kubernaut's shape on every page that does not continue a cursor: offset and total (from a
      // count) beside has_more — its readers send correlation_id alone and read both.
      pagination.put("offset", request.page().offset() == null ? 0 : request.page().offset());
      pagination.put("total", trail.count(request.filter()));
    }
    pagination.put("has_more", result.hasMore());
    pagination.put("next_cursor", result.next() == null ? null : result.next().encode());
    ctx.attribute(AccessAudit.RESULTS, result.events().size());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", result.events());
    body.put("pagination", pagination);
    Json.write(ctx, 200, body);
  }

  private void count(Context ctx) {
    long count = trail.count(parameters.filter(ctx.queryParamMap()));
    ctx.attribute(AccessAudit.RESULTS, (int) Math.min(Integer.MAX_VALUE, count));
    Json.write(ctx, 200, Map.of("count", count));
  }

  private void histogram(Context ctx) {
    QueryParameters.HistogramRequest request = parameters.histogram(ctx.queryParamMap());
    AuditTrail.Histogram histogram = trail.histogram(request.filter(), request.buckets(), clock.instant());
    long total = histogram.buckets().stream().mapToLong(b -> b.success() + b.failure() + b.pending()).sum();
    ctx.attribute(AccessAudit.RESULTS, (int) Math.min(Integer.MAX_VALUE, total));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("since", Timestamps.format(histogram.since()));
    body.put("until", Timestamps.format(histogram.until()));
    body.put("bucket_seconds", histogram.bucketSeconds());
    body.put("buckets", histogram.buckets().stream().map(b -> {
      Map<String, Object> bucket = new LinkedHashMap<>();
      bucket.put("start", Timestamps.format(b.start()));
      bucket.put("success", b.success());
      bucket.put("failure", b.failure());
      bucket.put("pending", b.pending());
      return bucket;
    }).toList());
    Json.write(ctx, 200, body);
  }

  private void byId(Context ctx) {
    String text = ctx.pathParam("event_id");
    UUID id = StrictUuid.parse(text).orElseThrow(() -> RequestRefusedException.validation(
        "invalid event id", List.of(new Violation("event_id", "must be a UUID, was \"" + text + "\""))));
    var event = trail.byId(id).orElseThrow(() -> new NotFoundException("no event with id " + id));
    ctx.attribute(AccessAudit.RESULTS, 1);
    Json.write(ctx, 200, event);
  }
}
