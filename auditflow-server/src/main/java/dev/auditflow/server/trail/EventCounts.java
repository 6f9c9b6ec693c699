package dev.auditflow.server.trail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * Totals read from {@code audit_event_counts} (migration V20) instead of counted row by row, for
 * the filters whose matches can be a large share of the trail: one {@code event_category},
 * {@code event_outcome}, {@code severity} or {@code event_type}, or no filter at all (with or
 * without {@code exclude_category}). The database keeps those counts in the transaction that
 * stores or deletes events, so the answer is exactly {@code count(*)} in the reader's snapshot;
 * every other filter is counted as before.
 */
final class EventCounts {
  /** The columns counted per value. */
  static final Set<String> DIMENSIONS = Set.of("event_category", "event_outcome", "severity", "event_type");
  /** Every event has exactly one category: their counts add up to the trail. */
  private static final String EVERY_EVENT = "event_category";

  private static final String ONE_VALUE =
      "SELECT coalesce(sum(events), 0) FROM audit_event_counts WHERE dimension = ? AND value = ?";
  private static final String ALL_BUT =
      "SELECT coalesce(sum(events), 0) - coalesce(sum(events) FILTER (WHERE value = ?), 0)"
          + " FROM audit_event_counts WHERE dimension = '" + EVERY_EVENT + "'";
  private static final String FOLD = "SELECT auditflow_fold_event_counts()";

  private EventCounts() {}

  /** Whether {@code filter}'s total can be read from the counts. */
  static boolean answers(EventFilter filter) {
    if (filter.since() != null || filter.until() != null || filter.detail() != null || filter.producer() != null) {
      return false;
    }
    Map<String, String> equals = filter.equals();
    if (equals.isEmpty()) {
      return true;
    }
    if (equals.size() != 1) {
      return false;
    }
    String column = equals.keySet().iterator().next();
    // Excluding a category from another dimension's value would need the two counted together.
    return DIMENSIONS.contains(column) && (filter.excludedCategory() == null || column.equals(EVERY_EVENT));
  }

  /** The total of a filter that {@link #answers} says the counts can give. */
  static long count(Connection c, EventFilter filter) throws SQLException {
    Map<String, String> equals = filter.equals();
    String excluded = filter.excludedCategory();
    if (equals.isEmpty()) {
      // Without an exclusion the FILTER matches nothing (value = NULL), leaving the whole sum.
      return single(c, ALL_BUT, excluded);
    }
    Map.Entry<String, String> only = equals.entrySet().iterator().next();
    if (excluded != null && excluded.equals(only.getValue())) {
      return 0; // a category asked for and excluded at once
    }
    return single(c, ONE_VALUE, only.getKey(), only.getValue());
  }

  /** Folds the deltas into one row per value; the number of rows folded. */
  static long fold(Connection c) throws SQLException {
    return single(c, FOLD);
  }

  private static long single(Connection c, String sql, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
