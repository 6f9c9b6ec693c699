package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.http.TimeParameter;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow completeness}: were audit events lost? Lists producer epochs and what is
 * accounted for in each (docs/COMPLETENESS.md); exit 0 when every epoch in range is accounted for,
 * 1 when some have gaps (named), 2 when it could not check.
 */
@Command(name = "completeness", mixinStandardHelpOptions = true,
    description = {"Were audit events lost? For each producer epoch: numbers stored, declared given up (by reason),"
        + " and gaps — numbers neither stored nor declared.",
        "Exit 0: every epoch in range is accounted for; 1: gaps (named); 2: could not check."})
final class CompletenessCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--since", defaultValue = "24h",
      description = "Epochs last seen at or after this: " + TimeParameter.FORMS + " (default: ${DEFAULT-VALUE}).")
  String since;

  @Option(names = "--producer", description = "Only this producer id.")
  String producer;

  @Option(names = "--json", description = "Print the server's answer as JSON instead of a table.")
  boolean json;

  @Option(names = "--limit", defaultValue = "1000", description = "Most epochs to check (1 to 1000; default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String path = "/api/v1/producers?since=" + encode(since) + "&limit=" + limit
        + (producer == null ? "" : "&producer_id=" + encode(producer));
    HttpResponse<String> response = ApiClient.expect(connection.client(err)
        .get(path, Duration.ofMinutes(2)), 200, "reading producers' accounts");
    JsonNode answer = AuditEventJson.mapper().readTree(response.body());
    if (json) {
      out.println(AuditEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
    } else {
      table(out, answer);
    }
    long withGaps = 0;
    for (JsonNode epoch : answer.path("epochs")) {
      if (!epoch.path("accounted_for").asBoolean()) {
        withGaps++;
        for (JsonNode gap : epoch.path("gaps")) {
          err.println("GAP: producer " + epoch.path("producer_id").asText() + " epoch " + epoch.path("epoch").asText()
              + " numbers " + gap.path("first_seq").asLong() + ".." + gap.path("last_seq").asLong()
              + " (" + gap.path("count").asLong() + ") neither stored nor declared since "
              + gap.path("first_seen").asText() + (gap.path("unaccounted").asBoolean() ? " — unaccounted loss" : ""));
        }
      }
    }
    int epochs = answer.path("epochs").size();
    if (withGaps == 0) {
      err.println("accounted for: " + epochs + " epochs since " + since
          + (producer == null ? "" : " of " + producer) + " — every number stored or declared");
      return 0;
    }
    err.println("NOT ACCOUNTED FOR: " + withGaps + " of " + epochs + " epochs have gaps");
    return 1;
  }

  private static void table(PrintWriter out, JsonNode answer) {
    out.printf("%-32s %-36s %-9s %10s %10s %10s %10s%n", "PRODUCER", "EPOCH", "STATE", "LAST_SEQ", "STORED",
        "DECLARED", "MISSING");
    for (JsonNode e : answer.path("epochs")) {
      long declared = 0;
      for (JsonNode n : e.path("declared")) {
        declared += n.asLong();
      }
      out.printf("%-32s %-36s %-9s %10d %10d %10d %10d%n", e.path("producer_id").asText(), e.path("epoch").asText(),
          e.path("state").asText(), e.path("last_seq").asLong(), e.path("stored").asLong(), declared,
          e.path("missing").asLong());
    }
    out.flush();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
