package dev.auditflow.cli;

import dev.auditflow.api.log.NoteKey;
import picocli.CommandLine.Option;

/** {@code --key}: the log's verifier key, which the {@code log} commands check checkpoints with. */
final class LogKeyOption {
  @Option(names = "--key", required = true,
      description = "The log's verifier key (<origin>+<id>+<key>, from GET /api/v1/log/key), obtained out of band.")
  String key;

  /** @throws IllegalArgumentException when it is not a verifier key */
  NoteKey noteKey() {
    return NoteKey.parse(key);
  }
}
