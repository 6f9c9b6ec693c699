package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.server.chain.ChainLinker.Head;
import dev.auditflow.server.chain.ChainLinker.Link;
import dev.auditflow.server.chain.ChainLinker;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.db.Transactions;
import dev.auditflow.server.log.LogQueue;
import dev.auditflow.server.log.QueuedLeaf;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import org.postgresql.PGConnection;

/**
 * Stores events idempotently and links each new one into its correlation's hash chain, all of a
 * request in one transaction.
 *
 * <p>The transaction, in order: lock the request's chains (advisory locks in key order — writers
 * of the same correlation queue, others do not wait); find which events are already stored (a
 * retry's duplicates take no chain position); read all the chains' heads in one query; compute
 * positions and hashes here; write the new rows with one COPY; move the heads. Every step is one
 * statement whatever the request's size: lookups take their keys as array parameters, which also
 * sidesteps PostgreSQL's 65 535-parameter limit.
 */
public final class EventWriter {
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

  private final Database database;
  private final PartitionManager partitions;
  private final ChainLinker linker;
  private final Retention retention;
  private final LogQueue logQueue;
  private final Clock clock;

  public EventWriter(Database database, PartitionManager partitions, ChainLinker linker, Retention retention,
      LogQueue logQueue, Clock clock) {
    this.database = database;
    this.partitions = partitions;
    this.linker = linker;
    this.retention = retention;
    this.logQueue = logQueue;
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
    // Everything that does not depend on the chains is done before their locks are taken:
    // writers of the same correlations then wait on each other only for what must be serial.
    PreparedRequest prepared = new PreparedRequest(Timestamps.normalize(clock.instant()), ingestedBy);
    events.forEach(prepared::add);
    try (PreparedStatement lock = c.prepareStatement("SELECT auditflow_lock_chains(?::text[])")) {
      lock.setArray(1, c.createArrayOf("text", correlationIds));
      lock.execute();
    }
    List<AuditEvent> fresh = ParentEvents.resolve(c, events, withoutStored(c, events));
    List<ChainLinker.Prepared> linkable = new ArrayList<>(fresh.size());
    List<EventRows.Row> rows = new ArrayList<>(fresh.size());
    for (AuditEvent e : fresh) {
      PreparedRequest.Event p = prepared.of(e);
      linkable.add(p.linkable());
      rows.add(p.row());
    }
    ChainLinker.Result linked = linker.link(linkable, heads(c, correlationIds));
    copyRows(c, linked.links(), rows);
    if (!linked.movedHeads().isEmpty()) {
      moveHeads(c, linked.movedHeads());
    }
    logQueue.enqueue(c, leaves(linkable, linked.links()));
    Set<UUID> created = new HashSet<>();
    fresh.forEach(e -> created.add(e.eventId()));
    return created;
  }

  /** The new events' leaves in the verifiable log: the RFC 6962 leaf hash of each canonical form. */
  private static List<QueuedLeaf> leaves(List<ChainLinker.Prepared> prepared, List<Link> links) {
    List<QueuedLeaf> leaves = new ArrayList<>(links.size());
    for (int i = 0; i < links.size(); i++) {
      Link link = links.get(i);
      byte[] hash = MerkleHashes.leaf(prepared.get(i).canonical().parts(link.position()));
      leaves.add(new QueuedLeaf(link.event().eventId(), link.eventDate(), hash));
    }
    return leaves;
  }

  /** The request's events with their canonical forms and COPY rows built, the chain columns open. */
  private final class PreparedRequest {
    record Event(ChainLinker.Prepared linkable, EventRows.Row row) {}

    private final Instant receivedAt;
    private final String received;
    private final String ingestedBy;
    private final Map<UUID, Event> byId = new HashMap<>();

    PreparedRequest(Instant receivedAt, String ingestedBy) {
      this.receivedAt = receivedAt;
      this.received = Timestamps.format(receivedAt);
      this.ingestedBy = ingestedBy;
    }

    void add(AuditEvent e) {
      byId.computeIfAbsent(e.eventId(), id -> prepare(e));
    }

    /** The prepared form of {@code e}; built again if resolving its parent changed the event. */
    Event of(AuditEvent e) {
      Event p = byId.get(e.eventId());
      return p != null && p.linkable().event() == e ? p : prepare(e);
    }

    private Event prepare(AuditEvent e) {
      ChainLinker.Prepared linkable = ChainLinker.prepare(e, receivedAt, ingestedBy);
      return new Event(linkable, EventRows.prepare(e, linkable.eventDate(), received, ingestedBy, retention,
          linker.algorithm().columnValue()));
    }
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

  /**
   * Writes the new events with one COPY. All of them are new — checked under the chains' locks —
   * so the only conflict left is an id stored meanwhile under another correlation, whose chain
   * locks this request does not hold: PostgreSQL then refuses the whole COPY (unique violation)
   * and the request fails loudly rather than leaving a gap in a chain; a retry finds the event
   * stored and answers "duplicate".
   */
  private void copyRows(Connection c, List<Link> links, List<EventRows.Row> prepared) throws SQLException {
    if (links.isEmpty()) {
      return;
    }
    byte[] rows = EventRows.encode(links, prepared);
    try {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn(EventRows.COPY, new ByteArrayInputStream(rows));
    } catch (IOException e) {
      throw new SQLException("writing the COPY of " + links.size() + " events", "08006", e);
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new ChainInvariantException("an event_id of this request was stored concurrently by a request for"
            + " another correlation_id: " + e.getMessage());
      }
      throw e;
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

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
