package dev.auditflow.server.ingest;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /api/v1/audit/events} and {@code POST /api/v1/audit/events/batch}. */
public final class IngestRoutes {
  public static final String EVENTS = "/api/v1/audit/events";
  public static final String BATCH = "/api/v1/audit/events/batch";

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
    IngestService.Stored stored = ingest.storeOne(Json.readBody(ctx, maxBodyBytes));
    var event = stored.events().get(0);
    if (stored.queued()) {
      queued(ctx, stored);
      return;
    }
    boolean duplicate = stored.created() == 0;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event_id", event.eventId());
    body.put("event_timestamp", Timestamps.format(event.eventTimestamp()));
    body.put("duplicate", duplicate);
    Json.write(ctx, duplicate ? 200 : 201, body);
  }

  /** 202: durably queued in the dead-letter queue; the replay worker stores it when the database is back. */
  private static void queued(Context ctx, IngestService.Stored stored) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "queued");
    body.put("queued", stored.events().size());
    body.put("event_ids", stored.eventIds());
    Json.write(ctx, 202, body);
  }

  private void batch(Context ctx) {
    IngestService.Stored stored = ingest.storeBatch(Json.readBody(ctx, maxBodyBytes));
    if (stored.queued()) {
      queued(ctx, stored);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event_ids", stored.eventIds());
    body.put("created", stored.created());
    body.put("duplicates", stored.duplicates());
    Json.write(ctx, 201, body);
  }
}
