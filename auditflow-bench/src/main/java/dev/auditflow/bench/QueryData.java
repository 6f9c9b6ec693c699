package dev.auditflow.bench;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A stored trail shaped like a real one, for the query benchmarks: {@code rows} events over the
 * last 20 days, 10 per correlation, with skewed values the way a fleet's trail is skewed — a few
 * event types, actors and severities make up most rows and the rest are rare, so a filter's
 * latency is measured both on values that match every tenth row and on values that match one row
 * in a thousand.
 *
 * <p>Every value is drawn from a fixed seed, so each run stores the same trail.
 */
final class QueryData {
  static final String[] CATEGORIES = {"gateway", "remediation", "workflow", "analysis", "execution", "notification"};
  static final String[] OUTCOMES = {"success", "failure", "pending"};
  static final String[] SEVERITIES = {"info", "warning", "error", "critical", "debug"};
  static final String[] RESOURCE_TYPES = {"Pod", "Deployment", "Node", "Service", "ConfigMap", "StatefulSet",
      "Job", "Namespace"};
  static final int TYPES = 30;
  static final int ACTORS = 20;
  static final int RESOURCES = 5_000;
  static final int DAYS = 20;

  private QueryData() {}

  /** Loads {@code rows} events by COPY ending at {@code now}, then ANALYZE. */
  static void load(String jdbcUrl, int rows, Instant now) throws Exception {
    Random random = new Random(42);
    int correlations = correlations(rows);
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      var copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
      int chunk = 50_000;
      for (int start = 0; start < rows; start += chunk) {
        StringBuilder sb = new StringBuilder(chunk * 450);
        for (int i = start; i < Math.min(rows, start + chunk); i++) {
          Instant ts = now.minusSeconds(i % (DAYS * 86_400L));
          String correlation = correlation(i % correlations);
          String resourceType = RESOURCE_TYPES[skewed(random, RESOURCE_TYPES.length)];
          sb.append(UUID.randomUUID()).append('\t').append(ts.atOffset(ZoneOffset.UTC).toLocalDate()).append('\t')
              .append(ts).append("\t1.0\t").append(type(skewed(random, TYPES))).append('\t')
              .append(CATEGORIES[skewed(random, CATEGORIES.length)]).append("\tact\t")
              .append(OUTCOMES[weighted(random, 0.90, 0.98)]).append('\t').append(correlation)
              .append("\tservice\t").append(actor(skewed(random, ACTORS))).append('\t').append(resourceType)
              .append('\t').append(resource(random.nextInt(RESOURCES))).append('\t')
              .append(SEVERITIES[weighted(random, 0.85, 0.95, 0.99, 0.999)]).append("\t{\"n\": ").append(i)
              .append(", \"payload\": \"").append("y".repeat(250)).append("\"}\t2555\tf\n");
        }
        copy.copyIn("COPY audit_events (event_id, event_date, event_timestamp, version, event_type, event_category,"
            + " event_action, event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, severity,"
            + " event_data, retention_days, is_sensitive) FROM STDIN", new StringReader(sb.toString()));
      }
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE audit_events");
      }
    }
  }

  static int correlations(int rows) {
    return rows / 10;
  }

  static String correlation(int n) {
    return "q-" + n;
  }

  static String type(int n) {
    return "remediation.step." + n;
  }

  static String actor(int n) {
    return "service-" + n;
  }

  static String resource(int n) {
    return "workload-" + n;
  }

  /**
   * An index in {@code [0, n)} drawn from a Zipf distribution (exponent 1.5): index 0 is the most
   * frequent (44 % of rows of 30 values) and {@code n - 1} the rarest (0.3 % of 30 values).
   */
  private static int skewed(Random random, int n) {
    double[] cumulative = ZIPF.computeIfAbsent(n, QueryData::zipf);
    double u = random.nextDouble() * cumulative[n - 1];
    for (int k = 0; k < n; k++) {
      if (u < cumulative[k]) {
        return k;
      }
    }
    return n - 1;
  }

  private static final Map<Integer, double[]> ZIPF = new HashMap<>();

  private static double[] zipf(int n) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += Math.pow(k + 1, -1.5);
      cumulative[k] = sum;
    }
    return cumulative;
  }

  /** The index of the first cumulative bound above a uniform draw, or the last index. */
  private static int weighted(Random random, double... cumulative) {
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length;
  }
}
