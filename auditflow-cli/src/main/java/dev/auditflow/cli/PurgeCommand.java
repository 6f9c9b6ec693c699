package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditflow purge [--dry-run]}: one retention purge run on a server, now (admin). */
@Command(name = "purge", mixinStandardHelpOptions = true,
    description = "Purge events whose retention has passed and that are under no legal hold, now. Exit 0 done,"
        + " 2 failed or another purge is running.")
final class PurgeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--dry-run", description = "Report exactly what would be purged; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    HttpResponse<String> r = ApiClient.expect(connection.client(err)
        .send("POST", "/api/v1/admin/purge", "{\"dry_run\":" + dryRun + "}", Duration.ofMinutes(30)), 200, "purge");
    JsonNode report = AuditEventJson.mapper().readTree(r.body());
    spec.commandLine().getOut().println(AuditEventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    err.println((dryRun ? "would purge " : "purged ") + report.path("events_purged").asLong() + " events of "
        + report.path("chains_purged").asLong() + " chains (" + report.path("partitions_dropped").asLong()
        + " partitions dropped); " + report.path("held_skipped").asLong() + " expired events kept by legal holds"
        + (report.path("complete").asBoolean() ? "" : "; more is left for the next run"));
    return 0;
  }
}
