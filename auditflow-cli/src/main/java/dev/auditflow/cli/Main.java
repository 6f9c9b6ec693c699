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
    return new CommandLine(new Main()).registerConverter(java.time.Duration.class, Durations::parse)
        .setExecutionExceptionHandler(Main::configurationProblem);
  }

  /** Exit code of a command that could not start: something on this machine to fix first. */
  static final int CANNOT_START = 2;

  /**
   * A problem its operator can fix (a file's permissions, a port in use) is one line naming it and
   * the fix — not a stack trace; anything else is left to picocli's default (the trace).
   */
  private static int configurationProblem(Exception e, CommandLine cmd, CommandLine.ParseResult parsed)
      throws Exception {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof dev.auditflow.server.ConfigurationException problem) {
        cmd.getErr().println("auditflow " + cmd.getCommandName() + ": " + problem.getMessage());
        return CANNOT_START;
      }
    }
    throw e;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"auditflow " + (v == null ? "(development build)" : v)};
    }
  }
}
