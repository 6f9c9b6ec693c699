package dev.auditflow.cli;

import ch.qos.logback.classic.Level;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.kafka.TopicSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code auditflow kafka …}: Kafka mode's topic (docs/SCALE.md). */
@Command(name = "kafka", mixinStandardHelpOptions = true, subcommands = KafkaCommand.Init.class,
    description = "Kafka mode's ingest log (docs/SCALE.md).")
final class KafkaCommand {
  /** Exit code of an existing topic that is not as asked: checked, and left as it is. */
  static final int DIFFERS = 1;

  @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Create the events' topic with the settings Kafka mode relies on, or check an existing one.",
          "An existing topic is never changed. Exit 0 created or as asked, 1 exists otherwise (the differences are"
              + " printed), 2 failed."})
  static final class Init implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--kafka-bootstrap", required = true, paramLabel = "HOST:PORT[,…]",
        description = "The Kafka cluster.")
    String bootstrap;

    @Option(names = "--kafka-topic", defaultValue = KafkaSettings.DEFAULT_TOPIC,
        description = "The events' topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = KafkaOptions.CONFIG_DESCRIPTION)
    Path clientConfig;

    @Option(names = "--partitions", defaultValue = "12",
        description = "Partitions: the most writers at work at once; one correlation's events share one"
            + " (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "3",
        description = "Copies of every record, at most the number of brokers (default: ${DEFAULT-VALUE}).")
    int replicationFactor;

    @Option(names = "--min-insync-replicas", defaultValue = "2",
        description = "Copies a record must have before ingest answers; with fewer brokers in sync, ingest answers 503"
            + " (default: ${DEFAULT-VALUE}).")
    int minInsyncReplicas;

    @Option(names = "--retention", defaultValue = "7d",
        description = "How long Kafka keeps records: longer than any database outage to survive (default:"
            + " ${DEFAULT-VALUE}).")
    Duration retention;

    @Override
    public Integer call() throws Exception {
      // Kafka's clients warn on every failed connection attempt; the one line below says it instead.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
      TopicSetup.TopicSpec asked;
      KafkaSettings settings;
      try {
        asked = new TopicSetup.TopicSpec(partitions, replicationFactor, minInsyncReplicas, retention);
        settings = new KafkaSettings(bootstrap.strip(), topic, KafkaSettings.DEFAULT_GROUP,
            KafkaSettings.DEFAULT_PRODUCE_TIMEOUT, KafkaOptions.readClientConfig(clientConfig));
      } catch (IllegalArgumentException e) {
        throw new CliFailure(e.getMessage(), "see 'auditflow kafka init --help'");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      TopicSetup.Outcome outcome;
      try {
        outcome = TopicSetup.ensure(settings, asked);
      } catch (InvalidReplicationFactorException e) {
        throw new CliFailure(e.getMessage(), "give --replication-factor at most the number of brokers (3 with"
            + " --min-insync-replicas 2 survives the loss of one broker)");
      } catch (TimeoutException e) {
        throw new CliFailure("Kafka at " + settings.bootstrapServers() + " did not answer: " + e.getMessage(),
            "check --kafka-bootstrap, and --kafka-config for a cluster that needs TLS or SASL");
      } catch (AuthenticationException e) {
        throw new CliFailure("Kafka did not accept the credentials: " + e.getMessage(),
            "check the user and password (or certificate) that --kafka-config gives");
      } catch (AuthorizationException e) {
        throw new CliFailure("Kafka refused: " + e.getMessage(), "the user --kafka-config names needs Describe,"
            + " DescribeConfigs and Create on the topic (or the cluster): an operator's, not an ingest node's");
      } catch (KafkaException e) {
        throw new CliFailure("Kafka refused: " + e.getMessage(), "the cluster's log says more");
      }
      if (outcome instanceof TopicSetup.Created created) {
        out.println("created topic " + topic + ": " + created.spec().describe());
        return 0;
      }
      if (outcome instanceof TopicSetup.Matches matches) {
        out.println("topic " + topic + " exists as asked: " + matches.existing().describe());
        return 0;
      }
      TopicSetup.Differs differs = (TopicSetup.Differs) outcome;
      out.println("topic " + topic + " exists otherwise than asked: " + String.join("; ", differs.differences())
          + "; nothing was changed");
      err.println("  kafka init never changes a topic: kafka-configs.sh --alter sets min.insync.replicas and"
          + " retention.ms, kafka-reassign-partitions.sh the replicas (docs/SCALE.md)");
      return DIFFERS;
    }
  }
}
