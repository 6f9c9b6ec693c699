package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks that every {@code parent_event_id} names an event that exists — stored (here, or on
 * another shard), or in the same request — and fills {@code parent_event_date} from it (Kubernaut's rule: a child of a missing
 * parent is refused, naming its index). The date comes from the parent, whatever the producer
 * sent, so it always names the parent's partition.
 */
final class ParentEvents {
  private static final String STORED_DATES =
      "SELECT event_id, event_date FROM audit_event_ids WHERE event_id = ANY(?::uuid[])";

  private ParentEvents() {}

  /**
   * @param request the whole request, in order (indices in errors refer to it)
   * @param fresh the events about to be inserted
   * @param elsewhere where parents this database does not store are looked for
   * @return {@code fresh}, each child with its parent's date
   * @throws ParentEventNotFoundException naming the first child whose parent does not exist
   */
  static List<AuditEvent> resolve(Connection c, List<AuditEvent> request, List<AuditEvent> fresh,
      ParentLookup elsewhere) throws SQLException {
    Set<UUID> wanted = new LinkedHashSet<>();
    for (AuditEvent e : fresh) {
      if (e.parentEventId() != null) {
        wanted.add(e.parentEventId());
      }
    }
    if (wanted.isEmpty()) {
      return fresh;
    }
    Map<UUID, LocalDate> dates = new HashMap<>();
    Map<UUID, Integer> indexOf = new HashMap<>();
    for (int i = 0; i < request.size(); i++) {
      AuditEvent e = request.get(i);
      dates.putIfAbsent(e.eventId(), ChainLinker.eventDate(e));
      indexOf.putIfAbsent(e.eventId(), i);
    }
    wanted.removeAll(dates.keySet());
    if (!wanted.isEmpty()) {
      dates.putAll(stored(c, wanted));
      wanted.removeAll(dates.keySet());
    }
    if (!wanted.isEmpty()) {
      dates.putAll(elsewhere.datesOf(wanted));
    }
    List<AuditEvent> resolved = new ArrayList<>(fresh.size());
    for (AuditEvent e : fresh) {
      if (e.parentEventId() == null) {
        resolved.add(e);
        continue;
      }
      LocalDate date = dates.get(e.parentEventId());
      if (date == null) {
        throw new ParentEventNotFoundException(indexOf.get(e.eventId()), e.parentEventId());
      }
      resolved.add(date.equals(e.parentEventDate()) ? e : e.toBuilder().parentEventDate(date).build());
    }
    return resolved;
  }

  /** The dates of those of {@code ids} stored here (an id row outlives its event's purge). */
  static Map<UUID, LocalDate> stored(Connection c, Collection<UUID> ids) throws SQLException {
    Map<UUID, LocalDate> dates = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(STORED_DATES)) {
      ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          dates.put(rs.getObject(1, UUID.class), rs.getObject(2, LocalDate.class));
        }
      }
    }
    return dates;
  }
}
