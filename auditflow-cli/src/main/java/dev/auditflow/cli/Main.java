package dev.auditflow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code java -jar auditflow.jar <command>}. */
@Command(
    name = "auditflow",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The auditflow audit pipeline.",
    subcommands = {ServeCommand.class, VerifyCommand.class, dev.auditflow.cli.load.LoadCommand.class,
        TokenCommand.class, PurgeCommand.class, ExportCommand.class, VerifyExportCommand.class, LogCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with auditflow's converters, for main and for tests. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).registerConverter(java.time.Duration.class, Durations::parse);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"auditflow " + (v == null ? "(development build)" : v)};
    }
  }
}
