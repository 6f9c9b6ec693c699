package dev.auditflow.cli;

import dev.auditflow.server.db.DatabaseSettings;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.shard.ShardCatalog;
import dev.auditflow.server.shard.ShardSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditflow shards …}: the trail over several PostgreSQL databases (docs/SCALE.md, "Shards"). */
@Command(name = "shards", mixinStandardHelpOptions = true, subcommands = ShardsCommand.Init.class,
    description = "The trail over several PostgreSQL databases (docs/SCALE.md, \"Shards\").")
final class ShardsCommand {
  /** Exit code of a topic placed otherwise already: left as it is. */
  static final int DIFFERS = 1;

  @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Bring the catalog and every shard's database to the current schema, then place the topic's"
          + " partitions on the shards in turn (in name order) — what every node reads at start.",
          "A placement is never changed. Exit 0 placed or placed as asked, 1 placed otherwise (printed), 2 failed."})
  static final class Init implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--database-url", required = true, paramLabel = "JDBC-URL",
        description = "The catalog: the database serve's --database-url names. It keeps the placement, the"
            + " server's own records and the features' tables.")
    String catalog;

    @Option(names = "--shard", required = true, paramLabel = "NAME=JDBC-URL", split = ShardOptions.SPLIT,
        description = ShardOptions.DESCRIPTION)
    Map<String, String> shards = new LinkedHashMap<>();

    @Option(names = "--partitions", defaultValue = "12",
        description = "The topic's partitions: as many as auditflow kafka init gave it (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--kafka-topic", defaultValue = KafkaSettings.DEFAULT_TOPIC,
        description = "The events' topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (partitions < 1) {
        throw new CliFailure("--partitions must be at least 1, was " + partitions, "see 'auditflow shards init --help'");
      }
      ShardSetup.Placed placed;
      try {
        placed = ShardSetup.init(new DatabaseSettings(catalog, 2, 1, Duration.ofSeconds(10), Duration.ofSeconds(60)),
            shards, topic, partitions, new SimpleMeterRegistry());
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage(), "see 'auditflow shards init --help'");
      } catch (ConfigurationException e) {
        out.println(e.getMessage());
        return DIFFERS;
      } catch (RuntimeException e) {
        throw new CliFailure("cannot prepare the databases: " + rootMessage(e),
            "check --database-url and each --shard's URL (user, password, database)", e);
      }
      out.println((placed.created() ? "placed topic " : "topic ") + topic + (placed.created() ? ": " : " is placed as"
          + " asked: ") + ShardCatalog.describe(placed.placement()));
      return 0;
    }

    private static String rootMessage(Throwable e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
  }
}
