package dev.auditflow.server.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Violation;
import dev.auditflow.server.auth.AuthFilter;
import dev.auditflow.server.failure.NotFoundException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.query.PageParameters;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ServerRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The workflow catalog's HTTP API: Kubernaut's ({@code RemediationWorkflow} bodies, {@code
 * WorkflowListResponse} lists with {@code limit}, {@code offset} and {@code total}, {@code
 * PATCH …/disable}) and auditflow's additions (keyset paging with {@code cursor}, the versions of a
 * name).
 */
public final class WorkflowRoutes {
  public static final String WORKFLOWS = "/api/v1/workflows";
  private static final long MAX_BODY = 1024 * 1024;
  private static final Set<String> FILTERS =
      Set.of("status", "environment", "priority", "component", "workflow_name", "latest_only", "offset");

  private final WorkflowService workflows;

  public WorkflowRoutes(WorkflowService workflows) {
    this.workflows = workflows;
  }

  public void register(JavalinConfig config) {
    config.routes.post(WORKFLOWS, this::create);
    config.routes.get(WORKFLOWS, this::list);
    // Registered before {workflow_id}, so "by-name" is never read as an id.
    config.routes.get(WORKFLOWS + "/by-name/{workflow_name}/versions", this::versions);
    config.routes.get(WORKFLOWS + "/{workflow_id}", this::get);
    config.routes.patch(WORKFLOWS + "/{workflow_id}", this::patch);
    config.routes.patch(WORKFLOWS + "/{workflow_id}/disable", this::disable);
  }

  private void create(Context ctx) {
    Workflow created = workflows.create(WorkflowRequests.create(Json.readBody(ctx, MAX_BODY)),
        caller(ctx));
    Json.write(ctx, 201, created.toJson());
  }

  private void get(Context ctx) {
    UUID id = id(ctx);
    Json.write(ctx, 200, workflows.get(id)
        .orElseThrow(() -> new NotFoundException("no workflow with id " + id)).toJson());
  }

  private void patch(Context ctx) {
    UUID id = id(ctx);
    Json.write(ctx, 200, workflows.changeStatus(id, WorkflowRequests.statusChange(Json.readBody(ctx, MAX_BODY)),
        caller(ctx)).toJson());
  }

  private void disable(Context ctx) {
    UUID id = id(ctx);
    JsonNode body = ctx.bodyAsBytes().length == 0 ? null : Json.readBody(ctx, MAX_BODY);
    Json.write(ctx, 200, workflows.changeStatus(id, WorkflowRequests.disable(body), caller(ctx))
        .toJson());
  }

  private void versions(Context ctx) {
    String name = ctx.pathParam("workflow_name");
    List<Workflow> all = workflows.versions(name);
    if (all.isEmpty()) {
      throw new NotFoundException("no workflow named \"" + name + "\"");
    }
    Json.write(ctx, 200, Map.of("data", all.stream().map(Workflow::toJson).toList()));
  }

  private void list(Context ctx) {
    Map<String, List<String>> params = ctx.queryParamMap();
    List<Violation> violations = new ArrayList<>();
    for (String name : params.keySet()) {
      if (!FILTERS.contains(name) && !PageParameters.NAMES.contains(name)) {
        Set<String> allowed = new TreeSet<>(FILTERS);
        allowed.addAll(PageParameters.NAMES);
        violations.add(new Violation(name, "unknown parameter; allowed: " + String.join(", ", allowed)));
      }
    }
    String status = PageParameters.single(params, "status", violations);
    if (status != null && !WorkflowRequests.STATUSES.contains(status)) {
      violations.add(new Violation("status", "must be one of " + new TreeSet<>(WorkflowRequests.STATUSES)));
    }
    String priority = PageParameters.single(params, "priority", violations);
    if (priority != null && !WorkflowRequests.PRIORITIES.contains(priority)) {
      violations.add(new Violation("priority", "must be one of P0, P1, P2, P3, *"));
    }
    String latest = PageParameters.single(params, "latest_only", violations);
    if (latest != null && !latest.equals("true") && !latest.equals("false")) {
      violations.add(new Violation("latest_only", "must be true or false"));
    }
    WorkflowService.Filter filter = new WorkflowService.Filter(status,
        PageParameters.single(params, "environment", violations), priority,
        PageParameters.single(params, "component", violations),
        PageParameters.single(params, "workflow_name", violations), "true".equals(latest));
    Page page = PageParameters.read(params, violations);
    Integer offset = PageParameters.offset(params, violations);
    if (offset != null && page.after() != null) {
      violations.add(new Violation("offset", "give offset or cursor, not both"));
    }
    if (!violations.isEmpty()) {
      throw RequestRefusedException.validation("invalid query parameters", violations);
    }
    if (offset != null) {
      page = new Page(page.limit(), page.descending(), null, offset);
    }
    WorkflowService.Result result = workflows.list(filter, page);
    Map<String, Object> pagination = new LinkedHashMap<>();
    pagination.put("limit", page.limit());
    pagination.put("has_more", result.hasMore());
    pagination.put("next_cursor", result.next() == null ? null : result.next().encode());
    // Kubernaut's WorkflowListResponse, with auditflow's cursor beside it.
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("workflows", result.workflows().stream().map(Workflow::toJson).toList());
    body.put("limit", page.limit());
    if (page.after() == null) {
      body.put("offset", offset == null ? 0 : offset);
      body.put("total", workflows.count(filter));
    }
    body.put("pagination", pagination);
    Json.write(ctx, 200, body);
  }

  private static UUID id(Context ctx) {
    String text = ctx.pathParam("workflow_id");
    return StrictUuid.parse(text).orElseThrow(() -> RequestRefusedException.validation("invalid workflow id",
        List.of(new Violation("workflow_id", "must be a UUID, was \"" + text + "\""))));
  }

  private static ServerRecord.Actor caller(Context ctx) {
    return AuthFilter.principal(ctx).actor(AuthFilter.clientAddress(ctx));
  }
}
