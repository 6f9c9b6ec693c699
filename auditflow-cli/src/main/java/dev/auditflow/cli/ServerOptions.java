package dev.auditflow.cli;

import dev.auditflow.server.Compatibility;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.failure.ConfigurationException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code serve}'s options for listening and answering. */
@Section("server")
final class ServerOptions {
  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--management-port",
      description = "Serve /metrics (and health) on this port only, not on --port. Default: /metrics on --port, without"
          + " authentication.")
  Integer managementPort;

  @Option(names = "--compat", paramLabel = "kubernaut|auditflow", defaultValue = "auditflow",
      description = "Whose defaults to keep where auditflow and the API it stands in for differ: kubernaut ="
          + " Kubernaut Data Storage's (batches of at most 500, a 400 beyond; query pages of 50; version required;"
          + " its problem types and titles on its routes). Default: ${DEFAULT-VALUE}.")
  String compat;

  @Option(names = "--retry-after", defaultValue = "2s",
      description = "The Retry-After sent with a 503 while the database or the DLQ is unavailable"
          + " (default: ${DEFAULT-VALUE}).")
  Duration retryAfter;

  @Option(names = "--drain-timeout", defaultValue = "10s",
      description = "On SIGTERM, how long in-flight requests may take to finish (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  Compatibility compatibility() {
    return switch (compat.trim().toLowerCase(Locale.ROOT)) {
      case "auditflow" -> Compatibility.AUDITFLOW;
      case "kubernaut" -> Compatibility.KUBERNAUT;
      default -> throw new ConfigurationException("--compat must be kubernaut or auditflow, was \"" + compat + "\"");
    };
  }

  void applyTo(ServerConfig.Builder config) {
    config.host(host).port(port).managementPort(managementPort).compatibility(compatibility())
        .retryAfter(retryAfter).drainTimeout(drainTimeout);
  }
}
