package dev.auditflow.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a client command reaches the server: {@code --url}, {@code --token}, {@code --cacert}. */
public final class ConnectionOptions {
  @Option(names = "--url", defaultValue = "http://localhost:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--token", defaultValue = "${env:AUDITFLOW_TOKEN}",
      description = "Bearer token for the server (env AUDITFLOW_TOKEN; prefer the variable: options show in ps).")
  String token;

  @Option(names = "--cacert", description = "PEM certificates to trust for an https URL (a self-signed server).")
  Path cacert;

  public ApiClient client() {
    return new ApiClient(url, token, cacert);
  }
}
