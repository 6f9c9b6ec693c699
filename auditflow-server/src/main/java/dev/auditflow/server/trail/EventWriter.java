package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.RoundTrip;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.db.Transactions;
import dev.auditflow.server.trail.ChainHead;
import dev.auditflow.server.trail.ChainLinker.Link;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
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
 * retry's duplicates take no chain position); read all the chains' heads in one query; draw the
 * log batch's number — these four sent in one round trip; take the new ids; compute positions and
 * hashes here; write the new rows with one COPY; move the heads and queue the log batch, again in
 * one round trip. Every step is one statement whatever the request's size: lookups take their keys
 * as array parameters, which also sidesteps PostgreSQL's 65 535-parameter limit. Round trips, not
 * statements, are most of what a small request pays (an access record is one event): four of
 * them and the commit.
 */
final class EventWriter {
  /** Ids taken by stored events (and by purged ones: an id is never given back), with their dates. */
  private static final String TAKEN_IDS =
      "SELECT event_id, event_date FROM audit_event_ids WHERE event_id = ANY(?::uuid[])";

  /**
   * Takes the new events' ids, in their transaction: a second taker of an id fails on the primary
   * key. Each id row also names the event's log batch and its place in it (null with the log off).
   */
  private static final String TAKE_IDS =
      """
      INSERT INTO audit_event_ids (event_id, event_date, log_batch, log_position)
      SELECT e, d, b, CASE WHEN b IS NOT NULL THEN k - 1 END
      FROM (SELECT ?::bigint AS b) AS batch, unnest(?::uuid[], ?::date[]) WITH ORDINALITY AS t(e, d, k)
      """;

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
  private final ParentLookup parentsElsewhere;

  /** @param parentsElsewhere where parents this database does not store are looked for */
  public EventWriter(Database database, PartitionManager partitions, ChainLinker linker, Retention retention,
      LogQueue logQueue, ParentLookup parentsElsewhere, Clock clock) {
    this.parentsElsewhere = parentsElsewhere;
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
  public Set<UUID> insert(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    try (Connection c = database.connection()) {
      try {
        return insertAndCommit(c, events, ingestedBy, producerIssued);
      } catch (IdTakenMeanwhileException e) {
        // Another request took one of these ids after we looked (one for another correlation, whose
        // chain locks we do not hold). Rolled back; a second look names it a duplicate or a conflict.
        return insertAndCommit(c, events, ingestedBy, producerIssued);
      } catch (SQLException e) {
        if (!NO_PARTITION.equals(e.getSQLState())) {
          throw e;
        }
        // A partition we believed in is gone (dropped behind our back). The failed transaction
        // is rolled back; create the partition in auto-commit mode, as ensure() requires, and
        // write once more.
        partitions.forget();
        return insertAndCommit(c, events, ingestedBy, producerIssued);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("storing " + events.size() + " events", e);
    }
  }

  /** "no partition of relation … found for row" */
  private static final String NO_PARTITION = "23514";

  /** Ensures the partitions in auto-commit mode, then writes in one transaction. */
  private Set<UUID> insertAndCommit(Connection c, List<AuditEvent> events, String ingestedBy, long producerIssued)
      throws SQLException {
    ensurePartitions(c, events);
    return Transactions.inTransaction(c, events.size() + " events", tx -> write(tx, events, ingestedBy, producerIssued));
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
   * Creates the month partitions for event timestamps if missing. Call it in auto-commit mode,
   * before the transaction that {@link #write} joins: a creation then commits at once and holds
   * its lock only briefly.
   */
  public void ensurePartitionsFor(Connection c, Collection<Instant> eventTimestamps) throws SQLException {
    Set<YearMonth> months = new TreeSet<>();
    eventTimestamps.forEach(t -> months.add(YearMonth.from(t.atOffset(java.time.ZoneOffset.UTC))));
    partitions.ensure(c, months);
  }

  /**
   * Links and inserts the events as part of the caller's open transaction, so that they commit —
   * or roll back — together with whatever else it writes (a workflow and the audit event that
   * records its creation). The caller commits.
   *
   * @param producerIssued the issued mark of the one producer epoch the events belong to, 0 for none
   * @return the ids that were new
   */
  public Set<UUID> write(Connection c, List<AuditEvent> events, String ingestedBy, long producerIssued)
      throws SQLException {
    Set<String> correlations = new LinkedHashSet<>();
    events.forEach(e -> correlations.add(e.correlationId()));
    String[] correlationIds = correlations.toArray(String[]::new);
    // Everything that does not depend on the chains is done before their locks are taken:
    // writers of the same correlations then wait on each other only for what must be serial.
    PreparedRequest prepared = new PreparedRequest(Timestamps.normalize(clock.instant()), ingestedBy);
    events.forEach(prepared::add);
    Locked locked = lockAndRead(c, correlationIds, events);
    List<AuditEvent> fresh = ParentEvents.resolve(c, events, withoutStored(events, locked.taken()), parentsElsewhere);
    Long batch = fresh.isEmpty() ? null : locked.batch();
    takeIds(c, fresh, batch);
    List<ChainLinker.Prepared> linkable = new ArrayList<>(fresh.size());
    List<EventRows.Row> rows = new ArrayList<>(fresh.size());
    for (AuditEvent e : fresh) {
      PreparedRequest.Event p = prepared.of(e);
      linkable.add(p.linkable());
      rows.add(p.row());
    }
    ChainLinker.Result linked = linker.link(linkable, locked.heads());
    copyRows(c, linked.links(), rows);
    ProducerLedger.account(c, fresh, ingestedBy, prepared.receivedAt, producerIssued);
    RoundTrip finish = new RoundTrip();
    if (!linked.movedHeads().isEmpty()) {
      moveHeads(finish, linked.movedHeads());
    }
    logQueue.enqueue(finish, batch, leaves(linkable, linked.links()));
    finish.run(c);
    Set<UUID> created = new HashSet<>();
    fresh.forEach(e -> created.add(e.eventId()));
    return created;
  }

  /**
   * Locks the chains for the rest of the transaction, sorted by the database
   * ({@code auditflow_lock_chains}), so that every writer takes them in one order.
   */
  static void lockChains(Connection c, Collection<String> correlationIds) throws SQLException {
    new RoundTrip().update(LOCK_CHAINS, p -> p.array("text", correlationIds.toArray())).run(c);
  }

  private static final String LOCK_CHAINS = "SELECT auditflow_lock_chains(?::text[])";

  /** What a request reads once its chains are locked. */
  private record Locked(Map<UUID, LocalDate> taken, Map<String, ChainHead> heads, Long batch) {}

  /**
   * Locks the request's chains and reads what the lock makes stable — which of its ids are taken,
   * the chains' heads — and draws its log batch, in one round trip: each statement after the lock
   * starts once the lock is held, with a snapshot of its own.
   */
  private Locked lockAndRead(Connection c, String[] correlationIds, List<AuditEvent> events) throws SQLException {
    Map<UUID, LocalDate> taken = new HashMap<>();
    Map<String, ChainHead> heads = new HashMap<>();
    Long[] batch = new Long[1];
    RoundTrip trip = new RoundTrip()
        .update(LOCK_CHAINS, p -> p.array("text", correlationIds))
        .query(TAKEN_IDS, p -> p.array("uuid", events.stream().map(AuditEvent::eventId).toArray()), rows -> {
          while (rows.next()) {
            taken.put(rows.getObject(1, UUID.class), rows.getObject(2, LocalDate.class));
          }
        })
        .query(HEADS, p -> p.array("text", correlationIds), rows -> {
          while (rows.next()) {
            heads.put(rows.getString(1), new ChainHead(rows.getLong(2), rows.getString(3)));
          }
        });
    logQueue.drawBatch(trip, b -> batch[0] = b);
    trip.run(c);
    return new Locked(taken, heads, batch[0]);
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

  /**
   * The events not stored yet, without repeats within the request, in request order. An id taken
   * already — by a stored or purged event, or earlier in this request — on the same date is a
   * retry of that event (a duplicate, not stored again); on another date it is another event
   * claiming the id, and the whole request is refused.
   *
   * @throws EventIdConflictException naming the first such event
   */
  private static List<AuditEvent> withoutStored(List<AuditEvent> events, Map<UUID, LocalDate> taken) {
    List<AuditEvent> fresh = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      AuditEvent e = events.get(i);
      LocalDate date = ChainLinker.eventDate(e);
      LocalDate takenOn = taken.putIfAbsent(e.eventId(), date);
      if (takenOn == null) {
        fresh.add(e);
      } else if (!takenOn.equals(date)) {
        throw new EventIdConflictException(i, e.eventId(), takenOn);
      }
    }
    return fresh;
  }

  /** @param batch the events' log batch, in which they are queued in this order; null for none */
  private static void takeIds(Connection c, List<AuditEvent> fresh, Long batch) throws SQLException {
    if (fresh.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(TAKE_IDS)) {
      ps.setObject(1, batch, Types.BIGINT);
      ps.setArray(2, c.createArrayOf("uuid", fresh.stream().map(AuditEvent::eventId).toArray()));
      ps.setArray(3, c.createArrayOf("text", fresh.stream().map(e -> ChainLinker.eventDate(e).toString()).toArray()));
      ps.executeUpdate();
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new IdTakenMeanwhileException(e);
      }
      throw e;
    }
  }

  /** An id of the request was taken by a concurrent request between our look and our claim. */
  private static final class IdTakenMeanwhileException extends RuntimeException {
    IdTakenMeanwhileException(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Writes the new events with one COPY. All of them are new: their ids were taken in {@code
   * audit_event_ids} just before, in this transaction, so a unique violation here means the two
   * tables disagree — a defect, refused whole rather than leaving a gap in a chain.
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
        throw new ChainInvariantException("an event of this request is stored already although its id was free in"
            + " audit_event_ids: " + e.getMessage());
      }
      throw e;
    }
  }

  private static final String UNIQUE_VIOLATION = "23505";

  private static void moveHeads(RoundTrip trip, Map<String, ChainHead> heads) {
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
    trip.update(MOVE_HEADS, p -> p.array("text", ids).array("int8", positions).array("text", hashes));
  }

}
