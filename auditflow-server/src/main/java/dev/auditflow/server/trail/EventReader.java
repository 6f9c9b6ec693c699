package dev.auditflow.server.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.Violation;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.failure.RequestRefusedException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
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
final class EventReader {
  /**
   * The event's leaf index in the verifiable log, null until integrated: two primary-key descents
   * (its id row, then its batch; {@link LogLeaves#indexOf}). Evaluated on the page's rows only,
   * after LIMIT and OFFSET, never on skipped ones.
   */
  private static final String LOG_INDEX = LogLeaves.indexOf("page") + " AS log_index";

  private final Database database;
  private final long maxAnswerBytes;

  /** @param maxAnswerBytes the most one page may carry ({@link AnswerBudget}) */
  EventReader(Database database, long maxAnswerBytes) {
    this.database = database;
    this.maxAnswerBytes = maxAnswerBytes;
  }

  private static ObjectNode withLogIndex(ResultSet rs) throws SQLException {
    ObjectNode json = StoredEvent.read(rs).toJson();
    long index = rs.getLong("log_index");
    if (!rs.wasNull()) {
      json.put("log_index", index);
    }
    return json;
  }

  /**
   * One page; {@code limit + 1} rows are read to learn whether more follow. With an offset the
   * rows before it are skipped (Kubernaut's paging; PostgreSQL reads and discards them).
   *
   * <p>A page carries at most the answer budget: a cursor page that would be larger ends early, its
   * cursor where it ended; an offset page cannot (its reader counts on {@code limit} events), so it
   * is refused naming {@code limit} and how many events fit.
   */
  public AuditTrail.EventPage list(EventFilter filter, Page page) {
    EventQuery sql = EventQuery.of(filter);
    String query = listQuery(sql, page);
    List<ObjectNode> rows = new ArrayList<>();
    Cursor next = null;
    boolean more = false;
    AnswerBudget budget = new AnswerBudget(maxAnswerBytes);
    try (Connection c = database.readConnection()) {
      inIndexOrder(c, filter);
      try (PreparedStatement ps = sql.prepare(c, query); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rows.size() == page.limit()) {
            more = true;
            break;
          }
          if (!budget.take(rs.getBytes("event_data").length + AnswerBudget.PER_EVENT)) {
            if (page.offset() != null) {
              throw RequestRefusedException.validation("the page would carry more than " + budget.maxBytes() + " bytes",
                  List.of(new Violation("limit", "these events are large: at most " + rows.size()
                      + " of them fit in one answer; ask for that many, or page with cursors")));
            }
            more = true;
            break;
          }
          rows.add(withLogIndex(rs));
          next = new Cursor(rs.getObject("event_timestamp", OffsetDateTime.class).toInstant(),
              rs.getObject("event_id", UUID.class), page.descending());
        }
      } finally {
        endIndexOrder(c);
      }
    } catch (SQLException e) {
      throw database.readFailure("querying events", e);
    }
    return new AuditTrail.EventPage(rows, more, more ? next : null);
  }

  /**
   * Plans the connection's next reads in index order, whatever PostgreSQL's statistics say; {@link
   * #endIndexOrder} ends it. Pages are ordered by {@code (event_timestamp, event_id)}, which every
   * index of {@code audit_events} ends with: walking one in order reads offset + limit entries and
   * stops. Collecting every matching row and sorting them is cheaper only when few rows match — what
   * a planner without statistics believes of every value right after a bulk load: it then sorted
   * all 200 000 events of one correlation for a page of 50. {@code SET LOCAL enable_sort = off}
   * makes any plan that sorts cost more than any that does not, so a sort remains only where no
   * index gives the order; LOCAL ends with the read's transaction, so the pool's next user plans
   * as usual.
   *
   * <p>Except for a producer's numbers: their index is ordered by number, not time, and a range of
   * numbers is found there and sorted — walking the time index instead would read the whole trail
   * for a few events.
   */
  private static void inIndexOrder(Connection c, EventFilter filter) throws SQLException {
    c.setAutoCommit(false);
    if (filter.producer() == null) {
      try (Statement statement = c.createStatement()) {
        statement.execute("SET LOCAL enable_sort = off");
      }
    }
  }

  private static void endIndexOrder(Connection c) throws SQLException {
    try {
      c.rollback(); // read only: nothing to commit
    } finally {
      c.setAutoCommit(true);
    }
  }

  /**
   * The filter's events over time, in {@code buckets} equal spans, counted by outcome. The span is
   * the filter's {@code since} (or its oldest event) to its {@code until} (or now, or its newest
   * event if that is later — events may be stamped a little ahead); a bucket is at least a second.
   * One grouped query, after one {@code min()}/{@code max()} when a bound is open.
   */
  public AuditTrail.Histogram histogram(EventFilter filter, int buckets, Instant now) {
    try (Connection c = database.readConnection()) {
      Instant since = filter.since();
      Instant until = filter.until();
      if (since == null || until == null) {
        EventQuery span = EventQuery.of(filter);
        try (PreparedStatement ps = span.prepare(c,
            "SELECT min(event_timestamp), max(event_timestamp) FROM audit_events" + span.where());
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          OffsetDateTime oldest = rs.getObject(1, OffsetDateTime.class);
          OffsetDateTime newest = rs.getObject(2, OffsetDateTime.class);
          if (until == null) {
            until = newest == null || newest.toInstant().isBefore(now) ? now : newest.toInstant();
          }
          if (since == null) {
            since = oldest == null ? until : oldest.toInstant();
          }
        }
      }
      long from = since.getEpochSecond();
      long bucketSeconds = Math.max(1, (until.getEpochSecond() - from + buckets - 1) / buckets); // rounded up
      long[][] counts = new long[buckets][3];
      EventQuery sql = EventQuery.of(filter.between(since, until));
      try (PreparedStatement ps = sql.prepare(c, "SELECT floor((extract(epoch FROM event_timestamp) - " + from + ") / "
          + bucketSeconds + ")::int AS bucket, event_outcome, count(*) FROM audit_events" + sql.where()
          + " GROUP BY 1, 2"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int bucket = Math.min(buckets - 1, Math.max(0, rs.getInt(1)));
          int outcome = switch (rs.getString(2)) {
            case "success" -> 0;
            case "failure" -> 1;
            default -> 2;
          };
          counts[bucket][outcome] += rs.getLong(3);
        }
      }
      List<AuditTrail.Bucket> result = new ArrayList<>(buckets);
      for (int b = 0; b < buckets; b++) {
        result.add(new AuditTrail.Bucket(Instant.ofEpochSecond(from + b * bucketSeconds), counts[b][0], counts[b][1], counts[b][2]));
      }
      return new AuditTrail.Histogram(since, until, bucketSeconds, result);
    } catch (SQLException e) {
      throw database.readFailure("counting events over time", e);
    }
  }

  /**
   * The filter's events, exactly. Where the matches can be a large share of the trail (one
   * category, outcome, severity or type, or no filter) the total comes from the counts the
   * database keeps ({@link EventCounts}) rather than from counting them.
   */
  public long count(EventFilter filter) {
    try (Connection c = database.readConnection()) {
      if (EventCounts.answers(filter)) {
        return EventCounts.count(c, filter);
      }
      EventQuery sql = EventQuery.of(filter);
      try (PreparedStatement ps = sql.prepare(c, "SELECT count(*) FROM audit_events" + sql.where());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw database.readFailure("counting events", e);
    }
  }

  public Optional<ObjectNode> byId(UUID eventId) {
    try (Connection c = database.readConnection();
        // The id's partition comes from audit_event_ids (one unique lookup), not from probing each month.
        PreparedStatement ps = c.prepareStatement("SELECT page.*, " + LOG_INDEX + " FROM (SELECT " + StoredEvent.COLUMNS
            + " FROM audit_events WHERE event_id = ?"
            + " AND event_date = (SELECT i.event_date FROM audit_event_ids i WHERE i.event_id = ?)) AS page")) {
      ps.setObject(1, eventId);
      ps.setObject(2, eventId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(withLogIndex(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw database.readFailure("reading event " + eventId, e);
    }
  }

  /** The EXPLAIN plan of a list query, for tests that assert index use. */
  public List<String> explain(EventFilter filter, Page page) {
    EventQuery sql = EventQuery.of(filter);
    String query = "EXPLAIN " + listQuery(sql, page);
    List<String> plan = new ArrayList<>();
    try (Connection c = database.readConnection()) {
      inIndexOrder(c, filter);
      try (PreparedStatement ps = sql.prepare(c, query); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.add(rs.getString(1));
        }
      } finally {
        endIndexOrder(c);
      }
    } catch (SQLException e) {
      throw database.readFailure("explaining a query", e);
    }
    return plan;
  }

  /** Adds the page's cursor bounds to {@code sql} and returns the page's SELECT. */
  private static String listQuery(EventQuery sql, Page page) {
    if (page.after() != null) {
      var after = page.after().timestamp().atOffset(ZoneOffset.UTC);
      sql.clause("(event_timestamp, event_id) " + (page.descending() ? "<" : ">") + " (?, ?)", after, page.after().eventId());
      // Prune partitions beyond the cursor as well.
      sql.clause("event_date " + (page.descending() ? "<=" : ">=") + " ?", after.toLocalDate());
    }
    String order = page.descending() ? " ORDER BY event_timestamp DESC, event_id DESC" : " ORDER BY event_timestamp, event_id";
    if (page.offset() != null) {
      startAt(sql, page.offset(), page.descending());
    }
    return "SELECT page.*, " + LOG_INDEX + " FROM (SELECT " + StoredEvent.COLUMNS + " FROM audit_events" + sql.where()
        + order + " LIMIT " + (page.limit() + 1) + ") AS page" + order;
  }

  /**
   * Starts {@code sql}'s rows at the {@code offset}-th of its order. The key of that row is found by
   * a subquery that reads {@code (event_timestamp, event_id)} only — the end of every index of
   * {@code audit_events}, so an index-only walk where the filter's columns are indexed — and the
   * rows are read from that key on. A skipped row costs an index entry, not a row read and
   * discarded, once the visibility map is set (VACUUM): 100 000 deep into a correlation of 200 000,
   * 21 ms instead of 420 ms; before it, a heap visibility check each (docs/BENCHMARKS.md §12).
   * Past the end the subquery finds nothing and the page is empty.
   */
  private static void startAt(EventQuery sql, int offset, boolean descending) {
    if (offset == 0) {
      return;
    }
    EventQuery skipped = sql.copy();
    String order = descending ? " ORDER BY event_timestamp DESC, event_id DESC" : " ORDER BY event_timestamp, event_id";
    sql.subquery("(event_timestamp, event_id) " + (descending ? "<=" : ">=")
        + " (SELECT event_timestamp, event_id FROM audit_events" + skipped.where() + order + " OFFSET " + offset
        + " LIMIT 1)", skipped);
  }

  /**
   * The events {@code filter} covers, by time, {@code limit} of them after {@code offset}, whole:
   * a signed export cannot be cut, so one that would not fit the answer budget is refused, saying
   * how many would.
   */
  public List<StoredEvent> whole(EventFilter filter, int offset, int limit) {
    List<StoredEvent> rows = new ArrayList<>();
    EventQuery query = EventQuery.of(filter);
    startAt(query, offset, false);
    try (Connection c = database.readConnection()) {
      inIndexOrder(c, filter);
      AnswerBudget budget = new AnswerBudget(maxAnswerBytes);
      try (PreparedStatement ps = query.prepare(c, "SELECT " + StoredEvent.COLUMNS + " FROM audit_events"
          + query.where() + " ORDER BY event_timestamp, event_id LIMIT " + limit); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!budget.take(rs.getBytes("event_data").length + AnswerBudget.PER_EVENT)) {
            throw RequestRefusedException.validation("the export would carry more than " + budget.maxBytes() + " bytes",
                List.of(new Violation("limit", "these events are large: at most " + rows.size() + " of them fit in one"
                    + " JSON export; ask for that many, or use format=ndjson, which streams an export of any size")));
          }
          rows.add(StoredEvent.read(rs));
        }
      } finally {
        endIndexOrder(c);
      }
    } catch (SQLException e) {
      throw database.readFailure("exporting events", e);
    }
    return rows;
  }

  /**
   * Reads the events {@code filter} covers in chain order — by correlation, then position —
   * through a cursor on {@code c} (which must not auto-commit), {@code batchSize} rows at a time:
   * an export of any size streams in bounded memory.
   */
  public static void inChainOrder(Connection c, EventFilter filter, int batchSize, AuditTrail.Batches sink)
      throws SQLException, IOException {
    EventQuery query = EventQuery.of(filter);
    try (PreparedStatement ps = query.prepare(c, "SELECT " + StoredEvent.COLUMNS + " FROM audit_events"
        + query.where() + " ORDER BY correlation_id, chain_position")) {
      ps.setFetchSize(batchSize);
      try (ResultSet rs = ps.executeQuery()) {
        List<StoredEvent> batch = new ArrayList<>(batchSize);
        while (rs.next()) {
          batch.add(StoredEvent.read(rs));
          if (batch.size() == batchSize) {
            sink.accept(batch);
            batch.clear();
          }
        }
        sink.accept(batch);
      }
    }
  }
}
