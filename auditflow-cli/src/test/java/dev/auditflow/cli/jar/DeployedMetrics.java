package dev.auditflow.cli.jar;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the deploy files (alert rules, dashboard) name, and the names a scrape holds:
 * what a dashboard or an alert refers to must be something the jar or the client really exports.
 */
public final class DeployedMetrics {
  /** Exported by Kafka mode's writers only, once they hold partitions: JarKafkaIT scrapes a writer for them. */
  public static final Set<String> KAFKA_MODE = Set.of("auditflow_writer_lag", "auditflow_writer_holes");

  /** auditflow's own metrics and the two families it relies on (HTTP requests, connection pools). */
  private static final Pattern NAME = Pattern.compile("\\b((?:auditflow|http_server|hikaricp)_[a-z0-9_]+)\\b");

  private DeployedMetrics() {}

  /** The metric names in a PromQL expression. */
  public static Set<String> namedIn(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(promql);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The sample names of a Prometheus text scrape ({@code name{labels} value}, comments skipped). */
  public static Set<String> sampleNames(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }
}
