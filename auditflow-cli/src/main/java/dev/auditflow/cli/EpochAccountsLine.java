package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One producer epoch's accounts recomputed by an auditor (docs/COMPLETENESS.md), as a line: the
 * shape {@code ExportCompleteness} gives them, from an export's lines or from the log's entries.
 */
final class EpochAccountsLine {
  private EpochAccountsLine() {}

  /** @param where what the numbers were found in: "this export", "the log" */
  static String of(JsonNode epoch, String where) {
    long missing = 0;
    for (JsonNode gap : epoch.path("gaps")) {
      missing += gap.get(1).asLong() - gap.get(0).asLong() + 1;
    }
    return "producer " + epoch.path("producer_id").asText() + " epoch " + epoch.path("epoch").asText() + ": "
        + epoch.path("stored").asLong() + " of " + epoch.path("last_seq").asLong() + " numbers in " + where + ", "
        + epoch.path("declared") + " declared, " + missing + " missing" + (epoch.path("closed").asBoolean() ? ", closed" : "");
  }
}
