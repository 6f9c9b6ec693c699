package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditflow verify}: asks a server to verify hash chains; exit 0 verified, 1 broken, 2 error. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Verify the hash chain of a correlation id, or of every chain with events in a time range.")
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--correlation-id", required = true, description = "The chain to verify.")
    String correlationId;

    @ArgGroup(exclusive = false)
    Range range;
  }

  static final class Range {
    @Option(names = "--since", required = true, description = "RFC 3339, inclusive.")
    String since;

    @Option(names = "--until", required = true, description = "RFC 3339, exclusive.")
    String until;
  }

  @Override
  public Integer call() throws Exception {
    ObjectNode request = AuditEventJson.mapper().createObjectNode();
    if (target.correlationId != null) {
      request.put("correlation_id", target.correlationId);
    } else {
      request.put("since", target.range.since).put("until", target.range.until);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ApiClient client = connection.client();
    HttpResponse<String> response;
    try {
      response = client.send("POST", "/api/v1/audit/verify", request.toString(), Duration.ofMinutes(10));
    } catch (IOException e) {
      // Exit 1 means "the chain is broken"; not reaching the server is no verdict at all.
      err.println("verification failed: cannot reach " + client.base() + ": " + e);
      return 2;
    }
    if (response.statusCode() != 200) {
      err.println("verification failed: HTTP " + response.statusCode() + " " + response.body());
      return 2;
    }
    JsonNode result = AuditEventJson.mapper().readTree(response.body());
    out.println(AuditEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
    if (result.path("verified").asBoolean()) {
      err.println("verified: " + result.path("events_checked").asLong() + " events in "
          + result.path("chains_checked").asLong() + " chains");
      return 0;
    }
    JsonNode b = result.path("first_break");
    err.println("NOT VERIFIED: " + b.path("reason").asText() + " in chain " + b.path("correlation_id").asText()
        + " at position " + b.path("position").asLong() + " — " + b.path("detail").asText());
    return 1;
  }
}
