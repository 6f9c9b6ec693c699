package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.server.failure.ConfigurationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Where serve's settings come from: the command line, then the environment, then the config file, then defaults. */
class ServeSettingsTest {
  @TempDir
  Path dir;

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("auditflow.yaml"), yaml);
  }

  /** serve parsed (not run) with these sources. */
  private static ServeCommand parse(Map<String, String> environment, String... args) {
    CommandLine cli = Main.commandLine();
    CommandLine serve = cli.getSubcommands().get("serve");
    List<String> all = new java.util.ArrayList<>(List.of("serve"));
    all.addAll(List.of(args));
    serve.setDefaultValueProvider(SettingsSources.read(all, environment));
    cli.parseArgs(all.toArray(String[]::new));
    return serve.getCommand();
  }

  @Test
  void theCommandLineBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
    Path config = file("""
        database:
          pool-size: 40
          read-pool-size: 6
        log:
          log-interval: 50ms
        security:
          trusted-proxy: [10.0.0.1, 10.0.0.2]
        """);
    ServeCommand serve = parse(Map.of("AUDITFLOW_POOL_SIZE", "20", "AUDITFLOW_READ_POOL_SIZE", "7"),
        "--config", config.toString(), "--read-pool-size", "9");
    assertThat(serve.database.poolSize).as("environment over file").isEqualTo(20);
    assertThat(serve.database.readPoolSize).as("command line over environment").isEqualTo(9);
    assertThat(serve.logOptions.interval).as("file over default").isEqualTo(Duration.ofMillis(50));
    assertThat(serve.security.trustedProxies).as("a list in the file").containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(serve.database.statementTimeout).as("default").isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void theConfigFileCanBeNamedByTheEnvironment() throws Exception {
    Path config = file("server:\n  retry-after: 7s\n");
    ServeCommand serve = parse(Map.of("AUDITFLOW_CONFIG", config.toString()));
    assertThat(serve.server.retryAfter).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void everyServeOptionHasAVariableAndASection() {
    CommandLine serve = Main.commandLine().getSubcommands().get("serve");
    for (OptionSpec option : serve.getCommandSpec().options()) {
      String name = option.longestName();
      if (option.usageHelp() || option.versionHelp() || name.equals("--config") || name.equals("--verbose")) {
        continue;
      }
      assertThat(SettingsSources.fileKey(option)).as("%s's section of the config file", name).isPresent();
      assertThat(SettingsSources.variable(option)).matches("AUDITFLOW_[A-Z0-9_]+");
    }
    OptionSpec leaves = serve.getCommandSpec().findOption("--log-max-leaves-per-round");
    assertThat(SettingsSources.variable(leaves)).isEqualTo("AUDITFLOW_LOG_MAX_LEAVES_PER_ROUND");
    assertThat(SettingsSources.fileKey(leaves)).hasValue("log.log-max-leaves-per-round");
  }

  @Test
  void aSettingThatDoesNotExistIsRefusedWithItsKeyAndTheSectionsSettings() throws Exception {
    Path config = file("database:\n  pool-sise: 20\n");
    CommandLine cli = Main.commandLine();
    SettingsSources sources = SettingsSources.read(List.of("serve", "--config", config.toString()), Map.of());
    assertThatThrownBy(() -> sources.check(cli.getSubcommands().get("serve").getCommandSpec()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("database.pool-sise is not a setting")
        .hasMessageContaining("pool-size")
        .hasMessageContaining("read-pool-size");

    Path sections = file("datbase:\n  pool-size: 20\n");
    SettingsSources wrongSection = SettingsSources.read(List.of("serve", "--config=" + sections), Map.of());
    assertThatThrownBy(() -> wrongSection.check(cli.getSubcommands().get("serve").getCommandSpec()))
        .hasMessageContaining("datbase is not a section").hasMessageContaining("database");
  }

  @Test
  void aFileThatIsNotSectionsOfPlainValuesIsRefused() throws Exception {
    assertThatThrownBy(() -> SettingsSources.read(List.of("serve", "--config", file("- port\n").toString()), Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be sections of settings");
    assertThatThrownBy(() -> SettingsSources.read(List.of("serve", "--config", file("port: 1\n").toString()), Map.of()))
        .hasMessageContaining("port must be a section");
    assertThatThrownBy(() -> SettingsSources.read(List.of("serve", "--config",
        file("server:\n  port: {a: 1}\n").toString()), Map.of()))
        .hasMessageContaining("server.port must be a plain value");
    assertThatThrownBy(() -> SettingsSources.read(List.of("serve", "--config", dir.resolve("absent.yaml").toString()),
        Map.of())).hasMessageContaining("cannot read the config file");
  }

  @Test
  void aBadValueFromTheEnvironmentIsOneLineNamingTheVariable() {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true));
    CommandLine serve = cli.getSubcommands().get("serve");
    serve.setErr(new PrintWriter(err, true));
    serve.setDefaultValueProvider(SettingsSources.read(List.of("serve"), Map.of("AUDITFLOW_POOL_SIZE", "many")));
    assertThat(cli.execute("serve")).isEqualTo(Main.FAILED);
    assertThat(err.toString().lines()).hasSize(2);
    assertThat(err.toString()).contains("--pool-size").contains("the environment variable AUDITFLOW_POOL_SIZE");
  }
}
