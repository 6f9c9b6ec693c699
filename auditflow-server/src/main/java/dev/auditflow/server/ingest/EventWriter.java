package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Stores events idempotently, all of a request in one transaction.
 *
 * <p>One statement per request, whatever its size: every column travels as one array parameter
 * and {@code unnest} turns the arrays back into rows. That is a single round trip and a single
 * plan for 1 or 5 000 events, and it sidesteps PostgreSQL's 65 535-parameter limit that a
 * multi-row {@code VALUES} list of 24 columns would hit at 2 730 rows. {@code ON CONFLICT DO
 * NOTHING} on {@code (event_id, event_date)} makes a retried event a duplicate, not an error;
 * {@code RETURNING} tells which rows were new.
 */
public final class EventWriter {
  static final String INSERT =
      """
      INSERT INTO audit_events (
          event_id, event_date, event_timestamp, version, event_type, event_category, event_action,
          event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name,
          parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message,
          event_data, retention_days, is_sensitive)
      SELECT * FROM unnest(
          ?::uuid[], ?::date[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[],
          ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
          ?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
          ?::jsonb[], ?::integer[], ?::boolean[])
      ON CONFLICT (event_id, event_date) DO NOTHING
      RETURNING event_id
      """;

  private final Database database;
  private final PartitionManager partitions;

  public EventWriter(Database database, PartitionManager partitions) {
    this.database = database;
    this.partitions = partitions;
  }

  /**
   * Inserts the events in one transaction.
   *
   * @return the ids that were new; the others were already stored
   * @throws dev.auditflow.server.db.DatabaseUnavailableException when the database cannot take it now
   */
  public Set<UUID> insert(List<AuditEvent> events) {
    try (Connection c = database.connection()) {
      Set<java.time.YearMonth> months = new TreeSet<>();
      for (AuditEvent e : events) {
        months.add(PartitionManager.monthOf(e.eventTimestamp()));
      }
      partitions.ensure(c, months);
      try {
        return insert(c, events);
      } catch (SQLException e) {
        if (!"23514".equals(e.getSQLState())) {
          throw e;
        }
        // "no partition of relation found": a partition we believed in was dropped. Once more.
        partitions.forget();
        partitions.ensure(c, months);
        return insert(c, events);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("storing " + events.size() + " events", e);
    }
  }

  private static Set<UUID> insert(Connection c, List<AuditEvent> events) throws SQLException {
    int n = events.size();
    Object[][] columns = new Object[24][n];
    for (int i = 0; i < n; i++) {
      AuditEvent e = events.get(i);
      columns[0][i] = e.eventId().toString();
      columns[1][i] = e.eventTimestamp().atOffset(ZoneOffset.UTC).toLocalDate().toString();
      columns[2][i] = dev.auditflow.api.Timestamps.format(e.eventTimestamp());
      columns[3][i] = e.version();
      columns[4][i] = e.eventType();
      columns[5][i] = e.eventCategory();
      columns[6][i] = e.eventAction();
      columns[7][i] = e.eventOutcome().wireName();
      columns[8][i] = e.correlationId();
      columns[9][i] = e.actorType();
      columns[10][i] = e.actorId();
      columns[11][i] = e.resourceType();
      columns[12][i] = e.resourceId();
      columns[13][i] = e.resourceName();
      columns[14][i] = e.parentEventId() == null ? null : e.parentEventId().toString();
      columns[15][i] = e.namespace();
      columns[16][i] = e.clusterName();
      columns[17][i] = e.severity().wireName();
      columns[18][i] = e.durationMs();
      columns[19][i] = e.errorCode();
      columns[20][i] = e.errorMessage();
      columns[21][i] = e.eventData().toString();
      columns[22][i] = e.retentionDays();
      columns[23][i] = e.sensitive();
    }
    // No need to restore auto-commit afterwards: HikariCP resets it when the connection returns.
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (int col = 0; col < 24; col++) {
        ps.setArray(col + 1, array(c, col, columns[col]));
      }
      Set<UUID> created = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          created.add(rs.getObject(1, UUID.class));
        }
      }
      c.commit();
      return created;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c, e);
      throw e;
    }
  }

  private static Array array(Connection c, int column, Object[] values) throws SQLException {
    return switch (column) {
      case 18 -> c.createArrayOf("int8", values);
      case 22 -> c.createArrayOf("int4", values);
      case 23 -> c.createArrayOf("bool", values);
      default -> c.createArrayOf("text", values);
    };
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
