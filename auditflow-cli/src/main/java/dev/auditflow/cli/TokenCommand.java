package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow token create|list|revoke}: manages API tokens with an admin token, read from
 * {@code --admin-token-file} or {@code AUDITFLOW_TOKEN}. {@code create} prints the new token on
 * stdout, alone on its line, so that {@code TOKEN=$(auditflow token create …)} works.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens (admin).",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {
  @Option(names = "--url", defaultValue = "http://localhost:8080", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Server base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--admin-token-file", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "File holding an admin token (e.g. auditflow-data/admin.token); default: env AUDITFLOW_TOKEN.")
  Path adminTokenFile;

  @Option(names = "--cacert", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "PEM certificates to trust for an https URL.")
  Path cacert;

  @Option(names = "--data-dir", defaultValue = "./auditflow-data", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Where a serve on this machine keeps its data, for its admin token (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  /**
   * A client with an admin token: from {@code --admin-token-file}, else {@code AUDITFLOW_TOKEN},
   * else the one {@code serve} wrote under {@code --data-dir} when the server is on this machine.
   */
  ApiClient client(PrintWriter err) throws java.io.IOException {
    String token = adminTokenFile != null ? Files.readString(adminTokenFile, StandardCharsets.UTF_8).trim()
        : ConnectionOptions.token(url, System.getenv("AUDITFLOW_TOKEN"), dataDir, err);
    if (token == null || token.isBlank()) {
      throw new CliFailure("an admin token is needed, and none was found",
          "set AUDITFLOW_TOKEN, pass --admin-token-file FILE, or run this where serve keeps its data ("
              + dataDir.resolve("admin.token") + ")");
    }
    return new ApiClient(url, token, cacert);
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print it (shown once).")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    TokenCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", required = true, description = "Name of the token's principal (token:<name>).")
    String name;

    @Option(names = "--role", required = true, split = ",",
        description = "writer, reader, auditor or admin (repeatable, or comma-separated).")
    List<String> roles;

    @Option(names = "--expires-in-days", description = "Days until the token expires (default: never).")
    Integer expiresInDays;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = AuditEventJson.mapper().createObjectNode().put("name", name);
      roles.forEach(body.putArray("roles")::add);
      if (expiresInDays != null) {
        body.put("expires_in_days", expiresInDays);
      }
      PrintWriter err = spec.commandLine().getErr();
      HttpResponse<String> r = ApiClient.expect(parent.client(err).send("POST", "/api/v1/admin/tokens", body.toString(),
          Duration.ofSeconds(30)), 201, "creating the token");
      JsonNode created = AuditEventJson.mapper().readTree(r.body());
      spec.commandLine().getOut().println(created.get("token").asText());
      err.println("created token " + created.get("token_id").asText() + " name=" + name + " roles=" + roles
          + " (the token is printed once, above; it cannot be shown again)");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
  static final class ListTokens implements Callable<Integer> {
    @ParentCommand
    TokenCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      HttpResponse<String> r = ApiClient.expect(parent.client(spec.commandLine().getErr())
          .get("/api/v1/admin/tokens", Duration.ofSeconds(30)), 200, "listing tokens");
      spec.commandLine().getOut().println(AuditEventJson.mapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(AuditEventJson.mapper().readTree(r.body())));
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by id.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand
    TokenCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--id", required = true, description = "The token_id to revoke.")
    String id;

    @Override
    public Integer call() throws Exception {
      ApiClient.expect(parent.client(spec.commandLine().getErr())
          .send("DELETE", "/api/v1/admin/tokens/" + id, null, Duration.ofSeconds(30)), 200, "revoking the token");
      spec.commandLine().getErr().println("revoked " + id);
      return 0;
    }
  }
}
