package dev.auditflow.cli;

import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.secrets.Secrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow serve}: the Data Storage service, on an embedded or external PostgreSQL. Its
 * options are grouped by concern; each group is a section of the help and of the config file, and
 * every option can also come from the environment ({@link SettingsSources}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the Data Storage service. Without --database-url it runs its own PostgreSQL in --data-dir.",
        "Every option can also be set by an environment variable, AUDITFLOW_ and its name (--pool-size:"
            + " AUDITFLOW_POOL_SIZE), or in the --config file under its section (database: {pool-size: 20})."
            + " The command line wins, then the environment, then the file."})
class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  CommandSpec spec;

  /** Read before parsing by {@link SettingsSources}; declared so that it is parsed and listed. */
  @Option(names = SettingsSources.CONFIG_OPTION, paramLabel = "FILE",
      description = "YAML file of settings: a section per group below, holding options by name without the dashes"
          + " (env " + SettingsSources.CONFIG_VARIABLE + ").")
  Path config;

  @ArgGroup(validate = false, heading = "%nServer:%n", order = 1)
  ServerOptions server = new ServerOptions();

  @ArgGroup(validate = false, heading = "%nDatabase:%n", order = 2)
  DatabaseOptions database = new DatabaseOptions();

  @ArgGroup(validate = false, heading = "%nEvents:%n", order = 3)
  EventOptions events = new EventOptions();

  @ArgGroup(validate = false, heading = "%nLimits:%n", order = 4)
  LimitOptions limits = new LimitOptions();

  @ArgGroup(validate = false, heading = "%nSecurity:%n", order = 5)
  SecurityOptions security = new SecurityOptions();

  @ArgGroup(validate = false, heading = "%nDead-letter queue:%n", order = 6)
  DlqOptions dlq = new DlqOptions();

  @ArgGroup(validate = false, heading = "%nSigning and retention:%n", order = 7)
  LifecycleOptions lifecycle = new LifecycleOptions();

  @ArgGroup(validate = false, heading = "%nVerifiable log:%n", order = 8)
  LogOptions logOptions = new LogOptions();

  @ArgGroup(validate = false, heading = "%nKafka (docs/SCALE.md):%n", order = 9)
  KafkaOptions kafka = new KafkaOptions();

  @ArgGroup(validate = false, heading = "%nShards (docs/SCALE.md):%n", order = 10)
  ShardOptions shards = new ShardOptions();

  /** Whether this command always runs a Kafka writer ({@code auditflow worker}). */
  boolean alwaysWriter() {
    return false;
  }

  private void requireFree(int candidate, String option) {
    if (candidate == 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(server.host, candidate));
    } catch (java.io.IOException e) {
      throw new ConfigurationException(option + " " + candidate + " on " + server.host + " is in use (" + e.getMessage()
          + "); stop what uses it, or choose another port with " + option);
    }
  }

  /**
   * Every setting not left at its default, with where it came from — {@code port=18080 (auditflow.yaml
   * (server.port))} — so that an operator sees which of three sources won; URLs with their passwords masked.
   */
  private String describeSettings() {
    List<String> described = new ArrayList<>();
    SettingsSources sources = spec.defaultValueProvider() instanceof SettingsSources s ? s : null;
    for (OptionSpec option : spec.options()) {
      SettingsSources.Origin origin = spec.commandLine().getParseResult().hasMatchedOption(option)
          ? new SettingsSources.Origin("command line", String.join(",", option.originalStringValues()))
          : sources == null ? null : sources.origin(option).orElse(null);
      if (origin != null && !option.usageHelp() && !option.versionHelp()) {
        String value = option.longestName().endsWith("-url") ? Secrets.maskUrl(origin.value())
            : option.longestName().equals("--shard") ? ShardOptions.masked(origin.value()) : origin.value();
        described.add(option.longestName().substring(2) + "=" + value + " (" + origin.source() + ")");
      }
    }
    return described.isEmpty() ? "all defaults" : String.join(", ", described);
  }

  /** The server's configuration from every group; a value the server refuses is named in one line. */
  private ServerConfig config(String jdbcUrl) throws java.io.IOException {
    ServerConfig.Builder config = ServerConfig.builder().jdbcUrl(jdbcUrl);
    server.applyTo(config);
    database.applyTo(config);
    events.applyTo(config);
    dlq.applyTo(config);
    kafka.applyTo(config, alwaysWriter());
    shards.applyTo(config);
    try {
      return config.auth(security.auth(database.dataDir)).tls(security.tls())
          .lifecycle(lifecycle.settings(database.dataDir)).log(logOptions.settings())
          .limits(limits.limits(database.readPoolSize)).build();
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    // Before anything starts (the embedded database takes seconds): a bad setting or a port in use is one line now.
    if (spec.defaultValueProvider() instanceof SettingsSources sources) {
      sources.check(spec);
    }
    log.info("settings {}", describeSettings());
    events.checkFiles();
    // Every value checked where the server checks it, before the embedded database takes seconds to start.
    ServerConfig checked = config("jdbc:postgresql://not-connected-yet/");
    requireFree(checked.port(), "--port");
    if (checked.managementPort() != null && checked.managementPort() != 0) {
      requireFree(checked.managementPort(), "--management-port");
    }
    EmbeddedDatabase embedded = database.embedded() ? EmbeddedDatabase.start(database.dataDir, database.embeddedPort)
        : null;
    String url = embedded != null ? embedded.jdbcUrl() : database.databaseUrl;
    AuditServer running;
    try {
      running = AuditServer.start(config(url));
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          throw new ConfigurationException("a port is in use (" + t.getMessage() + "); stop what uses it, or choose"
              + " another with --port / --management-port", e);
        }
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedDatabase toStop = embedded;
    // SIGTERM/SIGINT: stop taking requests, finish those in flight, then stop the database.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutdown requested");
      running.close();
      if (toStop != null) {
        toStop.close();
      }
      stopped.countDown();
    }, "auditflow-shutdown"));
    stopped.await();
    return 0;
  }
}
