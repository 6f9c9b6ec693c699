package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.secrets.Secrets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** {@code serve}'s shards (docs/SCALE.md, "Shards"): each a PostgreSQL database of its own. */
@Section("shards")
final class ShardOptions {
  /**
   * Entries are split at a comma that starts the next {@code name=jdbc:}: a JDBC URL may hold commas
   * of its own (several hosts), and the environment and the config file give every entry in one value.
   */
  static final String SPLIT = ",(?=[a-z][a-z0-9-]*=jdbc:)";

  static final String DESCRIPTION = "A shard: a PostgreSQL database of its own that holds the events of the Kafka"
      + " partitions the catalog (--database-url) places on it. Repeat for each shard; every node is given the same"
      + " shards. Placed once with auditflow shards init.";

  @Option(names = "--shard", paramLabel = "NAME=JDBC-URL", split = SPLIT, description = DESCRIPTION)
  Map<String, String> shards = new LinkedHashMap<>();

  void applyTo(ServerConfig.Builder config) {
    config.shards(shards);
  }

  /** {@code a=jdbc:…,b=jdbc:…} with each URL's password masked, for logs. */
  static String masked(String value) {
    return java.util.Arrays.stream(value.split(SPLIT)).map(entry -> {
      int equals = entry.indexOf('=');
      return equals < 0 ? entry : entry.substring(0, equals + 1) + Secrets.maskUrl(entry.substring(equals + 1));
    }).collect(Collectors.joining(","));
  }
}
