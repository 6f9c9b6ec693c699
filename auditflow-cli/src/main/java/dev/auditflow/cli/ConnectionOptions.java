package dev.auditflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** How a client command reaches the server: {@code --url}, {@code --token}, {@code --cacert}, {@code --data-dir}. */
public final class ConnectionOptions {
  private static final Set<String> THIS_MACHINE = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  @Option(names = "--url", defaultValue = "http://localhost:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--token", defaultValue = "${env:AUDITFLOW_TOKEN}",
      description = "Bearer token for the server (env AUDITFLOW_TOKEN; prefer the variable: options show in ps). Neither"
          + " given and the server on this machine: the admin token serve wrote under --data-dir.")
  String token;

  @Option(names = "--cacert", description = "PEM certificates to trust for an https URL (a self-signed server).")
  Path cacert;

  @Option(names = "--data-dir", defaultValue = "./auditflow-data",
      description = "Where a serve on this machine keeps its data, for its admin token (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  /** A client with the token as {@link #token(URI, String, Path, PrintWriter)} finds it. */
  public ApiClient client(PrintWriter err) {
    return new ApiClient(url, token(url, token, dataDir, err), cacert);
  }

  /**
   * The token given, else — when the server is on this machine — the first admin token that {@code
   * serve} wrote to {@code <dataDir>/admin.token}, saying so on {@code err}; else none.
   */
  static String token(URI url, String given, Path dataDir, PrintWriter err) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    Path file = dataDir.resolve("admin.token");
    if (url.getHost() == null || !THIS_MACHINE.contains(url.getHost()) || !Files.isReadable(file)) {
      return null;
    }
    try {
      err.println("using the admin token in " + file + " (no --token, no AUDITFLOW_TOKEN)");
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
