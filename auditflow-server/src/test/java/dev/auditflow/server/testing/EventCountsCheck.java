package dev.auditflow.server.testing;

/**
 * Whether the counts that totals are read from ({@code audit_event_counts}, V20) agree with the
 * trail's rows, value by value — on a database nobody tampered with behind the triggers' back.
 */
public final class EventCountsCheck {
  private EventCountsCheck() {}

  private static final String DISAGREEMENTS =
      """
      WITH kept AS (SELECT dimension, value, sum(events) AS n FROM audit_event_counts
                    GROUP BY dimension, value HAVING sum(events) <> 0),
           stored AS (SELECT 'event_category' AS dimension, event_category AS value, count(*) AS n
                      FROM audit_events GROUP BY event_category
                      UNION ALL SELECT 'event_outcome', event_outcome, count(*) FROM audit_events GROUP BY event_outcome
                      UNION ALL SELECT 'severity', severity, count(*) FROM audit_events WHERE severity IS NOT NULL
                      GROUP BY severity
                      UNION ALL SELECT 'event_type', event_type, count(*) FROM audit_events GROUP BY event_type)
      SELECT coalesce(string_agg(format('%s=%s: counted %s, stored %s', coalesce(k.dimension, s.dimension),
                                        coalesce(k.value, s.value), coalesce(k.n, 0), coalesce(s.n, 0)), '; '), '')
      FROM kept k FULL JOIN stored s ON k.dimension = s.dimension AND k.value = s.value
      WHERE k.n IS DISTINCT FROM s.n
      """;

  /** Every value whose count differs from its stored rows, described; empty when all agree. */
  public static String disagreements(String jdbcUrl) {
    return Superuser.text(jdbcUrl, DISAGREEMENTS);
  }

  /** The rows the counts are kept in: one per value once folded, more while deltas wait. */
  public static long rows(String jdbcUrl) {
    return Superuser.number(jdbcUrl, "SELECT count(*) FROM audit_event_counts");
  }
}
