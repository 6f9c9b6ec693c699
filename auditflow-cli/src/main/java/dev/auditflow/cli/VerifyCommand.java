package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.http.TimeParameter;
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
    @Option(names = "--since", required = true,
        description = "From (inclusive): " + TimeParameter.FORMS + ".")
    String since;

    @Option(names = "--until", description = "To (exclusive), in the same forms (default: now).")
    String until;
  }

  @Override
  public Integer call() throws Exception {
    ObjectNode request = AuditEventJson.mapper().createObjectNode();
    if (target.correlationId != null) {
      request.put("correlation_id", target.correlationId);
    } else {
      request.put("since", target.range.since);
      if (target.range.until != null) {
        request.put("until", target.range.until);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Exit 1 means "the chain is broken"; an error (exit 2, as every CliFailure) is no verdict at all.
    HttpResponse<String> response = ApiClient.expect(connection.client(err)
        .send("POST", "/api/v1/audit/verify", request.toString(), Duration.ofMinutes(10)), 200, "verification");
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
