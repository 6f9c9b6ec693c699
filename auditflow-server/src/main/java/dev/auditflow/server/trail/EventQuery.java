package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code WHERE} clause over {@code audit_events} and its parameters, built together so that they
 * cannot drift apart. Every reader of the trail — a query, a count, an export, a range
 * verification — builds its clause here from one {@link EventFilter}, so a new filter reaches them
 * all, and a time bound always bounds {@code event_date} too, so that PostgreSQL skips the
 * partitions outside it.
 */
public final class EventQuery {
  private final List<String> clauses = new ArrayList<>();
  private final List<Object> params = new ArrayList<>();

  /** The clause of {@code filter}: its time bounds inclusive (Kubernaut's reading). */
  public static EventQuery of(EventFilter filter) {
    EventQuery query = new EventQuery();
    filter.equals().forEach((column, value) -> query.clause(column + " = ?", value));
    query.timeRange(filter.since(), filter.until(), true);
    if (filter.excludedCategory() != null) {
      query.clause("event_category <> ?", filter.excludedCategory());
    }
    if (filter.detail() != null) {
      // The key is a parameter too (->> takes text), though it is also restricted to [a-zA-Z0-9_].
      query.clause("event_data ->> ? = ?", filter.detail().key(), filter.detail().value());
    }
    if (filter.producer() != null) {
      query.clause("producer_epoch = ?", filter.producer().epoch());
      query.clause("producer_seq BETWEEN ? AND ?", filter.producer().first(), filter.producer().last());
    }
    return query;
  }

  /**
   * Events stamped in {@code [since, until]} (or {@code [since, until)}); either bound may be null.
   * Each bound is written twice, on {@code event_timestamp} and on {@code event_date}: the second
   * is what lets PostgreSQL skip partitions.
   */
  public EventQuery timeRange(Instant since, Instant until, boolean untilIncluded) {
    if (since != null) {
      clause("event_timestamp >= ?", since.atOffset(ZoneOffset.UTC));
      clause("event_date >= ?", since.atOffset(ZoneOffset.UTC).toLocalDate());
    }
    if (until != null) {
      clause("event_timestamp " + (untilIncluded ? "<=" : "<") + " ?", until.atOffset(ZoneOffset.UTC));
      clause("event_date <= ?", until.atOffset(ZoneOffset.UTC).toLocalDate());
    }
    return this;
  }

  /** Adds one condition, its {@code ?}s bound to {@code values} in order. */
  public EventQuery clause(String clause, Object... values) {
    clauses.add(clause);
    params.addAll(List.of(values));
    return this;
  }

  /** The same conditions and parameters, to build a subquery from. */
  public EventQuery copy() {
    EventQuery copy = new EventQuery();
    copy.clauses.addAll(clauses);
    copy.params.addAll(params);
    return copy;
  }

  /** Adds a condition holding a subquery over {@code inner}, whose parameters are bound in its place. */
  public EventQuery subquery(String clause, EventQuery inner) {
    clauses.add(clause);
    params.addAll(inner.params);
    return this;
  }

  /** {@code " WHERE …"}, or nothing without conditions. */
  public String where() {
    return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
  }

  /** {@code query} (which holds {@link #where()}) prepared, with every parameter bound. */
  public PreparedStatement prepare(Connection c, String query) throws SQLException {
    PreparedStatement ps = c.prepareStatement(query);
    for (int i = 0; i < params.size(); i++) {
      ps.setObject(i + 1, params.get(i));
    }
    return ps;
  }
}
