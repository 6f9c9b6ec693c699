package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.chain.ChainLinker.Head;
import dev.auditflow.server.chain.ChainLinker.Link;
import dev.auditflow.server.chain.ChainLinker;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.db.Transactions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Stores events idempotently and links each new one into its correlation's hash chain, all of a
 * request in one transaction.
 *
 * <p>The transaction, in order: lock the request's chains (advisory locks in key order — writers
 * of the same correlation queue, others do not wait); find which events are already stored (a
 * retry's duplicates take no chain position); read all the chains' heads in one query; compute
 * positions and hashes here; insert; move the heads. Every step is one statement whatever the
 * request's size: each column travels as an array parameter and {@code unnest} turns the arrays
 * back into rows, which also sidesteps PostgreSQL's 65 535-parameter limit.
 */
public final class EventWriter {
  /**
   * Every column but {@code event_data} travels as an array parameter; {@code event_data} travels
   * as one JSON array, joined back by position — sending it as a {@code jsonb[]} would make the
   * driver escape every character of every payload into an array literal.
   */
  static final String INSERT =
      """
      INSERT INTO audit_events (
          event_id, event_date, event_timestamp, received_at, version, event_type, event_category, event_action,
          event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name,
          parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message,
          event_data, retention_days, is_sensitive, chain_position, previous_event_hash, event_hash, hash_algorithm,
          actor_ip, parent_event_date, ingested_by)
      SELECT u.event_id, u.event_date, u.event_timestamp, u.received_at, u.version, u.event_type, u.event_category,
          u.event_action, u.event_outcome, u.correlation_id, u.actor_type, u.actor_id, u.resource_type, u.resource_id,
          u.resource_name, u.parent_event_id, u.namespace, u.cluster_name, u.severity, u.duration_ms, u.error_code,
          u.error_message, d.event_data, u.retention_days, u.is_sensitive, u.chain_position, u.previous_event_hash,
          u.event_hash, u.hash_algorithm, u.actor_ip, u.parent_event_date, u.ingested_by
      FROM unnest(
          ?::uuid[], ?::date[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[],
          ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
          ?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
          ?::integer[], ?::boolean[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::date[], ?::text[])
        WITH ORDINALITY AS u(event_id, event_date, event_timestamp, received_at, version, event_type, event_category,
          event_action, event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name,
          parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message, retention_days,
          is_sensitive, chain_position, previous_event_hash, event_hash, hash_algorithm, actor_ip, parent_event_date,
          ingested_by, n)
      JOIN jsonb_array_elements(?::jsonb) WITH ORDINALITY AS d(event_data, n) ON d.n = u.n
      ON CONFLICT (event_id, event_date) DO NOTHING
      RETURNING event_id
      """;

  private static final String EXISTING =
      "SELECT event_id FROM audit_events WHERE (event_id, event_date) IN (SELECT * FROM unnest(?::uuid[], ?::date[]))";

  private static final String HEADS =
      "SELECT correlation_id, last_position, last_hash FROM audit_chain_heads WHERE correlation_id = ANY(?::text[])";

  private static final String MOVE_HEADS =
      """
      INSERT INTO audit_chain_heads (correlation_id, last_position, last_hash)
      SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[])
      ON CONFLICT (correlation_id) DO UPDATE SET last_position = EXCLUDED.last_position, last_hash = EXCLUDED.last_hash
      """;

  /** Array parameters of {@link #INSERT}; {@code event_data} follows them as one JSON array. */
  private static final int COLUMNS = 31;

  private final Database database;
  private final PartitionManager partitions;
  private final ChainLinker linker;
  private final Retention retention;
  private final Clock clock;

  public EventWriter(Database database, PartitionManager partitions, ChainLinker linker, Retention retention,
      Clock clock) {
    this.database = database;
    this.partitions = partitions;
    this.linker = linker;
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Inserts the events in one transaction.
   *
   * @return the ids that were new; the others were already stored
   * @throws dev.auditflow.server.db.DatabaseUnavailableException when the database cannot take it now
   */
  public Set<UUID> insert(List<AuditEvent> events, String ingestedBy) {
    try (Connection c = database.connection()) {
      try {
        return insertAndCommit(c, events, ingestedBy);
      } catch (SQLException e) {
        if (!NO_PARTITION.equals(e.getSQLState())) {
          throw e;
        }
        // A partition we believed in is gone (dropped behind our back). The failed transaction
        // is rolled back; create the partition in auto-commit mode, as ensure() requires, and
        // write once more.
        partitions.forget();
        return insertAndCommit(c, events, ingestedBy);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("storing " + events.size() + " events", e);
    }
  }

  /** "no partition of relation … found for row" */
  private static final String NO_PARTITION = "23514";

  /** Ensures the partitions in auto-commit mode, then writes in one transaction. */
  private Set<UUID> insertAndCommit(Connection c, List<AuditEvent> events, String ingestedBy) throws SQLException {
    ensurePartitions(c, events);
    return Transactions.inTransaction(c, events.size() + " events", tx -> write(tx, events, ingestedBy));
  }

  /** Creates any missing month partition for the events (auto-commit mode, before the transaction). */
  private void ensurePartitions(Connection c, List<AuditEvent> events) throws SQLException {
    Set<YearMonth> months = new TreeSet<>();
    for (AuditEvent e : events) {
      months.add(YearMonth.from(ChainLinker.eventDate(e)));
    }
    partitions.ensure(c, months);
  }

  /**
   * Creates the month partition for an event timestamp if missing. Call it in auto-commit mode,
   * before the transaction that {@link #write} joins: a creation then commits at once and holds
   * its lock only briefly.
   */
  public void ensurePartition(Connection c, Instant eventTimestamp) throws SQLException {
    partitions.ensure(c, List.of(YearMonth.from(eventTimestamp.atOffset(java.time.ZoneOffset.UTC))));
  }

  /**
   * Links and inserts the events as part of the caller's open transaction, so that they commit —
   * or roll back — together with whatever else it writes (a workflow and the audit event that
   * records its creation). The caller commits.
   *
   * @return the ids that were new
   */
  public Set<UUID> write(Connection c, List<AuditEvent> events, String ingestedBy) throws SQLException {
    Set<String> correlations = new LinkedHashSet<>();
    events.forEach(e -> correlations.add(e.correlationId()));
    String[] correlationIds = correlations.toArray(String[]::new);
    try (PreparedStatement lock = c.prepareStatement("SELECT auditflow_lock_chains(?::text[])")) {
      lock.setArray(1, c.createArrayOf("text", correlationIds));
      lock.execute();
    }
    List<AuditEvent> fresh = ParentEvents.resolve(c, events, withoutStored(c, events));
    Instant receivedAt = Timestamps.normalize(clock.instant());
    ChainLinker.Result linked = linker.link(fresh, heads(c, correlationIds), receivedAt, ingestedBy);
    Set<UUID> created = insertRows(c, linked.links(), receivedAt, ingestedBy);
    if (created.size() != fresh.size()) {
      // An id found absent a moment ago was inserted meanwhile by a writer that does not hold
      // these chains' locks (the same event_id sent under another correlation_id, concurrently).
      // Refuse, loudly, rather than leave a gap in a chain: the transaction rolls back and the
      // request is answered 500; a retry finds the event stored and answers "duplicate".
      throw new ChainInvariantException("expected to insert " + fresh.size() + " new events, inserted "
          + created.size() + ": an event_id was stored concurrently by a request for another correlation_id");
    }
    if (!linked.movedHeads().isEmpty()) {
      moveHeads(c, linked.movedHeads());
    }
    return created;
  }

  /** The events not stored yet, without repeats within the request, in request order. */
  private static List<AuditEvent> withoutStored(Connection c, List<AuditEvent> events) throws SQLException {
    Set<UUID> stored = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
      ps.setArray(1, c.createArrayOf("text", events.stream().map(e -> e.eventId().toString()).toArray()));
      ps.setArray(2, c.createArrayOf("text", events.stream().map(e -> ChainLinker.eventDate(e).toString()).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.add(rs.getObject(1, UUID.class));
        }
      }
    }
    List<AuditEvent> fresh = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      if (stored.add(e.eventId())) {
        fresh.add(e);
      }
    }
    return fresh;
  }

  private static Map<String, Head> heads(Connection c, String[] correlationIds) throws SQLException {
    Map<String, Head> heads = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(HEADS)) {
      ps.setArray(1, c.createArrayOf("text", correlationIds));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          heads.put(rs.getString(1), new Head(rs.getLong(2), rs.getString(3)));
        }
      }
    }
    return heads;
  }

  private Set<UUID> insertRows(Connection c, List<Link> links, Instant receivedAt, String ingestedBy)
      throws SQLException {
    Set<UUID> created = new HashSet<>();
    if (links.isEmpty()) {
      return created;
    }
    int n = links.size();
    Object[][] columns = new Object[COLUMNS][n];
    String algorithm = linker.algorithm().columnValue();
    String received = Timestamps.format(receivedAt);
    StringBuilder eventData = new StringBuilder(n * 256).append('[');
    for (int i = 0; i < n; i++) {
      Link link = links.get(i);
      AuditEvent e = link.event();
      columns[0][i] = e.eventId().toString();
      columns[1][i] = link.eventDate().toString();
      columns[2][i] = Timestamps.format(e.eventTimestamp());
      columns[3][i] = received;
      columns[4][i] = e.version();
      columns[5][i] = e.eventType();
      columns[6][i] = e.eventCategory();
      columns[7][i] = e.eventAction();
      columns[8][i] = e.eventOutcome().wireName();
      columns[9][i] = e.correlationId();
      columns[10][i] = e.actorType();
      columns[11][i] = e.actorId();
      columns[12][i] = e.resourceType();
      columns[13][i] = e.resourceId();
      columns[14][i] = e.resourceName();
      columns[15][i] = e.parentEventId() == null ? null : e.parentEventId().toString();
      columns[16][i] = e.namespace();
      columns[17][i] = e.clusterName();
      columns[18][i] = e.severity();
      columns[19][i] = e.durationMs();
      columns[20][i] = e.errorCode();
      columns[21][i] = e.errorMessage();
      columns[22][i] = retention.effectiveDays(e);
      columns[23][i] = e.sensitive();
      columns[24][i] = link.position();
      columns[25][i] = link.previousHash();
      columns[26][i] = link.hash();
      columns[27][i] = algorithm;
      columns[28][i] = e.actorIp();
      columns[29][i] = e.parentEventDate() == null ? null : e.parentEventDate().toString();
      columns[30][i] = ingestedBy;
      eventData.append(i == 0 ? "" : ",").append(e.eventData().toString());
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      for (int col = 0; col < COLUMNS; col++) {
        ps.setArray(col + 1, array(c, col, columns[col]));
      }
      ps.setString(COLUMNS + 1, eventData.append(']').toString());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          created.add(rs.getObject(1, UUID.class));
        }
      }
    }
    return created;
  }

  private static Array array(Connection c, int column, Object[] values) throws SQLException {
    return switch (column) {
      case 19, 24 -> c.createArrayOf("int8", values);
      case 22 -> c.createArrayOf("int4", values);
      case 23 -> c.createArrayOf("bool", values);
      default -> c.createArrayOf("text", values);
    };
  }

  private static void moveHeads(Connection c, Map<String, Head> heads) throws SQLException {
    int n = heads.size();
    String[] ids = new String[n];
    Long[] positions = new Long[n];
    String[] hashes = new String[n];
    int i = 0;
    for (var entry : heads.entrySet()) {
      ids[i] = entry.getKey();
      positions[i] = entry.getValue().position();
      hashes[i] = entry.getValue().hash();
      i++;
    }
    try (PreparedStatement ps = c.prepareStatement(MOVE_HEADS)) {
      ps.setArray(1, c.createArrayOf("text", ids));
      ps.setArray(2, c.createArrayOf("int8", positions));
      ps.setArray(3, c.createArrayOf("text", hashes));
      ps.executeUpdate();
    }
  }

}
