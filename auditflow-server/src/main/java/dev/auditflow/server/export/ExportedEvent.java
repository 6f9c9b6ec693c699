package dev.auditflow.server.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.server.query.StoredEvent;
import java.util.List;

/**
 * An event as an export carries it: as the API shows it, except that a defaulted field stored as
 * none is written as {@code ""} rather than left out — read back, an absent field would take its
 * default and the event would no longer hash to its {@code event_hash}.
 */
public final class ExportedEvent {
  private static final List<String> DEFAULTED =
      List.of("version", "severity", "actor_type", "actor_id", "resource_type", "resource_id");

  private ExportedEvent() {}

  public static ObjectNode json(StoredEvent row) {
    ObjectNode json = row.toJson();
    for (String field : DEFAULTED) {
      if (!json.hasNonNull(field)) {
        json.put(field, "");
      }
    }
    return json;
  }
}
