package dev.auditflow.server.query;

import dev.auditflow.api.ProblemType;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AccessAudit;
import dev.auditflow.server.http.ApiException;
import dev.auditflow.server.http.Json;
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
  public static final String BY_ID = "/api/v1/audit/events/{event_id}";

  private final EventReader reader;
  private final QueryParameters parameters;

  public QueryRoutes(EventReader reader, QueryParameters parameters) {
    this.reader = reader;
    this.parameters = parameters;
  }

  public void register(JavalinConfig config) {
    config.routes.get(LIST, this::list);
    config.routes.get(COUNT, this::count);
    config.routes.get(BY_ID, this::byId);
  }

  private void list(Context ctx) {
    QueryParameters.ListRequest request = parameters.list(ctx.queryParamMap());
    EventReader.Result result = reader.list(request.filter(), request.page());
    Map<String, Object> pagination = new LinkedHashMap<>();
    pagination.put("limit", request.page().limit());
    if (request.page().offset() != null) {
      // Kubernaut's shape: offset and total (from a count) beside has_more.
      pagination.put("offset", request.page().offset());
      pagination.put("total", reader.count(request.filter()));
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
    long count = reader.count(parameters.filter(ctx.queryParamMap()));
    ctx.attribute(AccessAudit.RESULTS, (int) Math.min(Integer.MAX_VALUE, count));
    Json.write(ctx, 200, Map.of("count", count));
  }

  private void byId(Context ctx) {
    String text = ctx.pathParam("event_id");
    UUID id = StrictUuid.parse(text).orElseThrow(() -> ApiException.validation(
        "invalid event id", List.of(new Violation("event_id", "must be a UUID, was \"" + text + "\""))));
    var event = reader.byId(id).orElseThrow(() -> ApiException.of(ProblemType.NOT_FOUND, "no event with id " + id));
    ctx.attribute(AccessAudit.RESULTS, 1);
    Json.write(ctx, 200, event);
  }
}
