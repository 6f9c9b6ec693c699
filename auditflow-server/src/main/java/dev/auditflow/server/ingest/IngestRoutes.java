package dev.auditflow.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.auth.AuthFilter;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.http.Json;
import dev.auditflow.server.trail.EventIdConflictException;
import dev.auditflow.server.trail.ParentEventNotFoundException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/audit/events} and {@code POST /api/v1/audit/events/batch}, with the answers
 * Kubernaut's generated client decodes: 201 with {@code message} for a stored event (a duplicate
 * too — that client treats any other 2xx as an error and would retry), 202 with {@code status}
 * and {@code message} for a single event queued in the dead-letter queue or accepted into Kafka,
 * and 201 for a batch stored, durably queued or accepted (that client accepts nothing else for a
 * batch).
 */
public final class IngestRoutes {
  public static final String EVENTS = "/api/v1/audit/events";
  public static final String BATCH = "/api/v1/audit/events/batch";

  private static final String ACCEPTED_ONE = "audit event accepted: replicated in the ingest log, a writer stores it"
      + " shortly (a duplicate event_id is stored once)";
  private static final String ACCEPTED_MANY = "audit events accepted: replicated in the ingest log, a writer stores"
      + " them shortly (a duplicate event_id is stored once)";

  private final IngestService ingest;
  private final long maxBodyBytes;

  public IngestRoutes(IngestService ingest, long maxBodyBytes) {
    this.ingest = ingest;
    this.maxBodyBytes = maxBodyBytes;
  }

  public void register(JavalinConfig config) {
    config.routes.post(EVENTS, this::single);
    config.routes.post(BATCH, this::batch);
  }

  private void single(Context ctx) {
    String by = AuthFilter.principal(ctx).name();
    EventIntake.Stored stored = withParentCheck(() -> ingest.storeOne(Json.readBody(ctx, maxBodyBytes), by), false);
    AuditEvent event = stored.events().get(0);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event_id", event.eventId());
    body.put("event_timestamp", Timestamps.format(event.eventTimestamp()));
    switch (stored.disposition()) {
      case QUEUED -> {
        body.put("status", "queued");
        body.put("message", "audit event queued in the dead-letter queue; it is stored when the database is back");
        body.put("queued", 1);
        body.put("event_ids", stored.eventIds());
        Json.write(ctx, 202, body);
        return;
      }
      case ACCEPTED -> {
        // Whether it is a duplicate is decided by the writer that stores it: not known yet.
        body.put("status", "accepted");
        body.put("message", ACCEPTED_ONE);
        body.put("event_ids", stored.eventIds());
        Json.write(ctx, 202, body);
        return;
      }
      default -> { }
    }
    boolean duplicate = stored.created() == 0;
    body.put("message", duplicate ? "audit event already stored (duplicate)" : "audit event created");
    body.put("duplicate", duplicate);
    Json.write(ctx, 201, body);
  }

  private void batch(Context ctx) {
    String by = AuthFilter.principal(ctx).name();
    long issued = issuedMark(ctx);
    EventIntake.Stored stored = withParentCheck(() -> ingest.storeBatch(batchBody(ctx), by, issued), true);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event_ids", stored.eventIds());
    switch (stored.disposition()) {
      case QUEUED -> {
        body.put("message", stored.events().size()
            + " audit events queued in the dead-letter queue; they are stored when the database is back");
        body.put("status", "queued");
        body.put("queued", stored.events().size());
      }
      case ACCEPTED -> {
        body.put("message", stored.events().size() + " " + ACCEPTED_MANY);
        body.put("status", "accepted");
        body.put("accepted", stored.events().size());
      }
      case STORED -> {
        body.put("message", stored.created() + " audit events created, " + stored.duplicates() + " already stored");
        body.put("status", "stored");
      }
    }
    if (stored.disposition() != EventIntake.Disposition.ACCEPTED) {
      body.put("created", stored.created());
      body.put("duplicates", stored.duplicates());
    }
    Json.write(ctx, 201, body);
  }

  /** The producer's {@link Declaration#ISSUED_HEADER} (docs/COMPLETENESS.md), or 0 when it sent none. */
  private static long issuedMark(Context ctx) {
    String text = ctx.header(Declaration.ISSUED_HEADER);
    if (text == null) {
      return 0;
    }
    long issued;
    try {
      issued = Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      issued = 0;
    }
    if (issued < 1) {
      throw RequestRefusedException.validation("invalid " + Declaration.ISSUED_HEADER + " header",
          List.of(new Violation(Declaration.ISSUED_HEADER, "must be a sequence number from 1 to " + Long.MAX_VALUE)));
    }
    return issued;
  }

  /** The body of a batch request; malformed JSON is said in Kubernaut's words, and where. */
  private JsonNode batchBody(Context ctx) {
    try {
      return Json.readBody(ctx, maxBodyBytes);
    } catch (RequestRefusedException e) {
      if (!e.problem().slug().equals(ProblemType.MALFORMED_JSON.slug())) {
        throw e;
      }
      throw RequestRefusedException.of(ProblemType.MALFORMED_JSON,
          "the request body must be a valid JSON array of audit event objects: " + e.problem().detail());
    }
  }

  /**
   * A missing parent is the request's fault: a 400 naming the event (its index in a batch). An id
   * held by another event is a 409 naming it the same way.
   */
  private static EventIntake.Stored withParentCheck(Supplier<EventIntake.Stored> store, boolean batch) {
    try {
      return store.get();
    } catch (EventIdConflictException e) {
      Violation violation = new Violation("event_id", "is the id of another event, stored with an event_timestamp on "
          + e.takenOn() + "; an event_id may name one event only (a retry must resend the same event_timestamp)");
      throw new RequestRefusedException(Problem.withErrors(ProblemType.CONFLICT,
          (batch ? "event at index " + e.index() + ": " : "") + "event_id " + e.eventId() + " belongs to another event;"
              + " nothing was stored", List.of(batch ? violation.atIndex(e.index()) : violation)));
    } catch (ParentEventNotFoundException e) {
      Violation violation = new Violation("parent_event_id",
          "parent event does not exist: no event with id " + e.parentEventId());
      throw RequestRefusedException.validation(batch ? "event at index " + e.index() + ": parent event does not exist"
          : "parent event does not exist", List.of(batch ? violation.atIndex(e.index()) : violation));
    }
  }
}
