package dev.auditflow.server.kafka;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.http.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/admin/kafka} (admin): the ingest log as this node sees it — each partition's
 * end offset, stored offset and lag, and the records writers kept in {@code ingest_rejections}
 * (docs/SCALE.md); {@code configured: false} in direct mode, as the dead-letter queue's route.
 */
public final class IngestLogRoutes {
  public static final String PATH = "/api/v1/admin/kafka";
  private static final int RECENT_REJECTIONS = 50;

  private final IngestLogStatus status;

  /** @param status the ingest log's status, null in direct mode */
  public IngestLogRoutes(IngestLogStatus status) {
    this.status = status;
  }

  public void register(JavalinConfig config) {
    config.routes.get(PATH, this::state);
  }

  private void state(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("configured", status != null);
    if (status == null) {
      Json.write(ctx, 200, body);
      return;
    }
    body.put("topic", status.settings().topic());
    body.put("group", status.settings().group());
    body.putAll(lag(status.snapshot()));
    PartitionLedger.Rejections rejections = status.rejections(RECENT_REJECTIONS);
    List<Map<String, Object>> recent = new ArrayList<>();
    for (PartitionLedger.Rejection r : rejections.recent()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("partition", r.partition());
      row.put("offset", r.offset());
      row.put("event_id", r.eventId() == null ? null : r.eventId().toString());
      row.put("ingested_by", r.ingestedBy());
      row.put("reason", r.reason());
      row.put("detail", r.detail());
      row.put("rejected_at", Timestamps.format(r.rejectedAt()));
      recent.add(row);
    }
    body.put("rejections", Map.of("total", rejections.total(), "recent", recent));
    Json.write(ctx, 200, body);
  }

  /**
   * A snapshot as JSON fields — {@code kafka}, {@code lag}, {@code partitions} — for this route and
   * the console's health.
   */
  public static Map<String, Object> lag(IngestLogStatus.Snapshot snapshot) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kafka", snapshot.kafkaUp() ? "up" : "down");
    if (!snapshot.kafkaUp()) {
      body.put("kafka_error", snapshot.kafkaError());
    }
    if (snapshot.databaseError() != null) {
      body.put("database_error", snapshot.databaseError());
    }
    body.put("lag", snapshot.totalLag());
    List<Map<String, Object>> partitions = new ArrayList<>();
    for (IngestLogStatus.PartitionLag p : snapshot.partitions()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("partition", p.partition());
      row.put("end_offset", p.endOffset());
      row.put("stored_offset", p.storedOffset());
      row.put("lag", p.lag());
      row.put("writer", p.writer());
      row.put("stored_at", p.storedAt() == null ? null : Timestamps.format(p.storedAt()));
      partitions.add(row);
    }
    body.put("partitions", partitions);
    body.put("as_of", Timestamps.format(snapshot.at()));
    return body;
  }
}
