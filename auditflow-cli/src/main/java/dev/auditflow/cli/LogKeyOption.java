package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.NoteKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --key} or {@code --key-from-server}: the log's verifier key, which the {@code log}
 * commands check checkpoints with.
 */
final class LogKeyOption {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--key",
        description = "The log's verifier key (<origin>+<id>+<key>, from GET /api/v1/log/key), obtained out of band.")
    String key;

    @Option(names = "--key-from-server",
        description = "Take the key from the server itself (GET /api/v1/log/key) — trust on first use: it proves"
            + " nothing against that server; keep the key it prints and pass --key from then on.")
    boolean fromServer;
  }

  /**
   * The verifier key: as given, or the server's own, said to be taken on trust.
   *
   * @throws CliFailure when it is no verifier key
   */
  String verifierKey(ApiClient client, PrintWriter err) throws InterruptedException {
    return verifierKey(client, err, "/api/v1/log");
  }

  /** As {@link #verifierKey(ApiClient, PrintWriter)}, for the log whose API is at {@code logPath} (a shard's). */
  String verifierKey(ApiClient client, PrintWriter err, String logPath) throws InterruptedException {
    String key = source.key;
    if (source.fromServer) {
      try {
        JsonNode answer = AuditEventJson.mapper().readTree(ApiClient.expect(
            client.get(logPath + "/key", Duration.ofSeconds(30)), 200, "reading the log's key").body());
        key = answer.path("verifier_key").asText();
      } catch (IOException e) {
        throw new CliFailure("the server's /api/v1/log/key answer is not JSON: " + e.getMessage(), null);
      }
      err.println("TRUST ON FIRST USE: the log's key as " + client.base() + " states it: " + key);
      err.println("  keep it somewhere the server cannot change, and pass --key '" + key + "' from now on");
    }
    try {
      NoteKey.parse(key);
    } catch (IllegalArgumentException e) {
      throw new CliFailure("--key is not a verifier key: " + e.getMessage(),
          "copy verifier_key from GET " + logPath + "/key: <origin>+<8 hex digits>+<base64>");
    }
    return key;
  }

  NoteKey noteKey(ApiClient client, PrintWriter err) throws InterruptedException {
    return NoteKey.parse(verifierKey(client, err));
  }
}
