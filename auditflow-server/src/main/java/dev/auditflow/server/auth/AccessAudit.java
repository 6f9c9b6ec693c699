package dev.auditflow.server.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.server.failure.UnavailableException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.ServerVocabulary;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading the audit trail is itself audited: every successful call of an audited route (see
 * {@link RoutePolicy}) appends an audit event — category {@code auditflow}, type {@code
 * auditflow.access.<operation>}, the principal as actor, what was asked and how many results —
 * through the same write path as any event, chained per principal (correlation {@code
 * access:<principal>}). So "who looked at what" is answered by the query API itself.
 *
 * <p>It is written before the answer leaves: if the record cannot be written, the caller gets a
 * 503 instead of the data (an unrecorded read is not allowed to happen). Concurrent readers' records
 * are committed together ({@link AccessRecorder}).
 */
public final class AccessAudit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccessAudit.class);
  /** Handlers may set this context attribute to the number of results they returned. */
  public static final String RESULTS = "auditflow.results";
  /**
   * Handlers may set this context attribute to a map saying what they changed (e.g. the name and
   * roles of a token made), recorded as {@code event_data.details}. Never secrets.
   */
  public static final String DETAILS = "auditflow.details";
  private static final String RECORDED = "auditflow.access.recorded";

  private final RoutePolicy policy;
  private final AccessRecorder recorder;
  private final Clock clock;

  AccessAudit(RoutePolicy policy, AccessRecorder recorder, Clock clock) {
    this.policy = policy;
    this.recorder = recorder;
    this.clock = clock;
  }

  public void install(JavalinConfig config) {
    config.routes.afterMatched(this::record);
  }

  private void record(Context ctx) {
    if (ctx.statusCode() >= 400 || Boolean.TRUE.equals(ctx.attribute(RECORDED))) {
      return; // refused or failed: nothing was read or changed; or recorded already, before streaming
    }
    try {
      write(ctx, ctx.statusCode());
    } catch (AccessNotRecordedException e) {
      ctx.header("Retry-After", "2");
      Json.problem(ctx, Problem.of(ProblemType.SERVICE_UNAVAILABLE, e.getMessage()));
    }
  }

  /**
   * Records the access now, for a handler about to stream an answer that cannot be withheld once
   * it has begun (an export): called before the first byte, it makes the record the condition
   * of the answer as for every other route.
   *
   * @throws AccessNotRecordedException when it cannot be recorded (the handler must not answer)
   */
  public void recordBeforeStreaming(Context ctx) {
    write(ctx, 200);
    ctx.attribute(RECORDED, true);
  }

  private void write(Context ctx, int status) {
    String route = AuthFilter.routeOf(ctx);
    RoutePolicy.Access access = policy.access(ctx.method().name(), route).orElse(null);
    if (access == null || access.operation() == null) {
      return;
    }
    Principal principal = AuthFilter.principal(ctx);
    ObjectNode data = AuditEventJson.mapper().createObjectNode();
    data.put("method", ctx.method().name()).put("path", ctx.path()).put("route", route).put("status", status);
    ObjectNode query = data.putObject("query");
    for (Map.Entry<String, List<String>> p : ctx.queryParamMap().entrySet()) {
      query.put(p.getKey(), String.join(",", p.getValue()));
    }
    Integer results = ctx.attribute(RESULTS);
    if (results != null) {
      data.put("results", results);
    }
    Map<String, Object> details = ctx.attribute(DETAILS);
    if (details != null) {
      data.set("details", AuditEventJson.mapper().valueToTree(details));
    }
    AuditEvent event = new ServerRecord(ServerVocabulary.TYPE_PREFIX + "access." + access.operation(),
        access.operation(), ServerVocabulary.ACCESS_CHAIN_PREFIX + principal.name(),
        principal.actor(AuthFilter.clientAddress(ctx)),
        new ServerRecord.Resource("api", route), data).toEvent(clock.instant());
    try {
      recorder.record(event, principal.name());
    } catch (RuntimeException e) {
      log.error("access could not be recorded; the answer is withheld principal={} route={} error=\"{}\"",
          principal.name(), route, e.getMessage());
      throw new AccessNotRecordedException();
    }
  }

  /** Stops recording; audited routes answer 503 from then on. */
  @Override
  public void close() {
    recorder.close();
  }

  /** The access could not be written to the trail, so the answer must not be given: a 503. */
  public static final class AccessNotRecordedException extends UnavailableException {
    AccessNotRecordedException() {
      super("the access could not be recorded in the audit trail, so its answer is withheld; retry", null, null);
    }

    @Override
    public Problem problem(Answering request) {
      return Problem.of(ProblemType.SERVICE_UNAVAILABLE, getMessage());
    }
  }
}
