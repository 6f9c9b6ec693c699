package dev.auditflow.server.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.Severity;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads stored events: filtered pages in keyset order, counts, and single events by id.
 *
 * <p>Pages are ordered by {@code (event_timestamp, event_id)} — unique, so a cursor position is
 * exact. Time bounds are also applied to {@code event_date}, so PostgreSQL skips partitions
 * outside them.
 */
public final class EventReader {
  private static final String COLUMNS =
      "event_id, event_date, event_timestamp, received_at, version, event_type, event_category, event_action, "
          + "event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name, "
          + "parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message, "
          + "event_data, retention_days, is_sensitive";

  private final Database database;

  public EventReader(Database database) {
    this.database = database;
  }

  /** A page of results and where the next one starts. */
  public record Result(List<ObjectNode> events, boolean hasMore, Cursor next) {}

  /** One page; {@code limit + 1} rows are read to learn whether more follow. */
  public Result list(EventFilter filter, Page page) {
    Sql sql = where(filter);
    String query = listQuery(sql, page);
    List<ObjectNode> rows = new ArrayList<>();
    Cursor next = null;
    boolean more = false;
    try (Connection c = database.connection(); PreparedStatement ps = sql.prepare(c, query); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (rows.size() == page.limit()) {
          more = true;
          break;
        }
        rows.add(toJson(rs));
        next = new Cursor(rs.getObject("event_timestamp", OffsetDateTime.class).toInstant(),
            rs.getObject("event_id", UUID.class), page.descending());
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("querying events", e);
    }
    return new Result(rows, more, more ? next : null);
  }

  public long count(EventFilter filter) {
    Sql sql = where(filter);
    try (Connection c = database.connection();
        PreparedStatement ps = sql.prepare(c, "SELECT count(*) FROM audit_events" + sql.where());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw SqlFailures.translate("counting events", e);
    }
  }

  public Optional<ObjectNode> byId(UUID eventId) {
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_events WHERE event_id = ?")) {
      ps.setObject(1, eventId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(toJson(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("reading event " + eventId, e);
    }
  }

  /** The EXPLAIN plan of a list query, for tests that assert index use. */
  public List<String> explain(EventFilter filter, Page page) {
    Sql sql = where(filter);
    String query = "EXPLAIN " + listQuery(sql, page);
    List<String> plan = new ArrayList<>();
    try (Connection c = database.connection(); PreparedStatement ps = sql.prepare(c, query); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        plan.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("explaining a query", e);
    }
    return plan;
  }

  /** Adds the page's cursor bounds to {@code sql} and returns the page's SELECT. */
  private static String listQuery(Sql sql, Page page) {
    if (page.after() != null) {
      var after = page.after().timestamp().atOffset(ZoneOffset.UTC);
      sql.clause("(event_timestamp, event_id) " + (page.descending() ? "<" : ">") + " (?, ?)", after, page.after().eventId());
      // Prune partitions beyond the cursor as well.
      sql.clause("event_date " + (page.descending() ? "<=" : ">=") + " ?", after.toLocalDate());
    }
    String direction = page.descending() ? "DESC" : "ASC";
    return "SELECT " + COLUMNS + " FROM audit_events" + sql.where()
        + " ORDER BY event_timestamp " + direction + ", event_id " + direction + " LIMIT " + (page.limit() + 1);
  }

  private static Sql where(EventFilter filter) {
    Sql sql = new Sql();
    filter.equals().forEach((column, value) -> sql.clause(column + " = ?", value));
    if (filter.since() != null) {
      sql.clause("event_timestamp >= ?", filter.since().atOffset(ZoneOffset.UTC));
      sql.clause("event_date >= ?", filter.since().atOffset(ZoneOffset.UTC).toLocalDate());
    }
    if (filter.until() != null) {
      sql.clause("event_timestamp < ?", filter.until().atOffset(ZoneOffset.UTC));
      sql.clause("event_date <= ?", filter.until().atOffset(ZoneOffset.UTC).toLocalDate());
    }
    return sql;
  }

  /** A WHERE clause and its parameters, built together so they cannot drift apart. */
  private static final class Sql {
    private final List<String> clauses = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();

    void clause(String clause, Object... values) {
      clauses.add(clause);
      params.addAll(List.of(values));
    }

    String where() {
      return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }

    PreparedStatement prepare(Connection c, String query) throws SQLException {
      PreparedStatement ps = c.prepareStatement(query);
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      return ps;
    }
  }

  /** A row as the API shows it: the event's own fields, then what the server added. */
  private static ObjectNode toJson(ResultSet rs) throws SQLException {
    AuditEvent event;
    try {
      event = AuditEvent.builder()
          .eventId(rs.getObject("event_id", UUID.class))
          .eventTimestamp(rs.getObject("event_timestamp", OffsetDateTime.class).toInstant())
          .version(rs.getString("version"))
          .eventType(rs.getString("event_type"))
          .eventCategory(rs.getString("event_category"))
          .eventAction(rs.getString("event_action"))
          .eventOutcome(EventOutcome.fromWireName(rs.getString("event_outcome")).orElseThrow())
          .correlationId(rs.getString("correlation_id"))
          .actorType(rs.getString("actor_type"))
          .actorId(rs.getString("actor_id"))
          .resourceType(rs.getString("resource_type"))
          .resourceId(rs.getString("resource_id"))
          .resourceName(rs.getString("resource_name"))
          .parentEventId(rs.getObject("parent_event_id", UUID.class))
          .namespace(rs.getString("namespace"))
          .clusterName(rs.getString("cluster_name"))
          .severity(Severity.fromWireName(rs.getString("severity")).orElseThrow())
          .durationMs((Long) rs.getObject("duration_ms"))
          .errorCode(rs.getString("error_code"))
          .errorMessage(rs.getString("error_message"))
          .eventData(AuditEventJson.mapper().readTree(rs.getString("event_data")))
          .retentionDays(rs.getInt("retention_days"))
          .sensitive(rs.getBoolean("is_sensitive"))
          .build();
    } catch (IOException e) {
      throw new SQLException("stored event_data is not JSON", e);
    }
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(event);
    json.put("event_date", rs.getObject("event_date", java.time.LocalDate.class).toString());
    json.put("received_at", Timestamps.format(rs.getObject("received_at", OffsetDateTime.class).toInstant()));
    return json;
  }
}
