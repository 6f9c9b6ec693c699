package dev.auditflow.cli;

import dev.auditflow.server.failure.ConfigurationException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar auditflow.jar <command>}. */
@Command(
    name = "auditflow",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The auditflow audit pipeline.",
    subcommands = {ServeCommand.class, VerifyCommand.class, dev.auditflow.cli.load.LoadCommand.class,
        TokenCommand.class, PurgeCommand.class, ExportCommand.class, VerifyExportCommand.class, LogCommand.class,
        CompletenessCommand.class, WorkerCommand.class, KafkaCommand.class, ShardsCommand.class})
public final class Main {
  /** Exit code of a command that could not do what it was asked: a bad option, a refusal, an unreachable server. */
  static final int FAILED = 2;

  private static volatile boolean verbose;

  @Option(names = {"-X", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
      description = "On a failure, print its stack trace too.")
  void verbose(boolean on) {
    verbose = on;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  /** Runs one command as {@code main} does, with {@code environment} as the process's environment. */
  static int run(String[] args, Map<String, String> environment) {
    CommandLine cli = commandLine();
    try {
      SettingsSources sources = SettingsSources.read(List.of(args), environment);
      cli.getSubcommands().get("serve").setDefaultValueProvider(sources);
      cli.getSubcommands().get("worker").setDefaultValueProvider(sources);
    } catch (ConfigurationException e) {
      cli.getErr().println("auditflow serve: " + e.getMessage());
      return FAILED;
    }
    return cli.execute(args);
  }

  /** The command line with auditflow's converters and error reporting, for main and for tests. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).registerConverter(java.time.Duration.class, Durations::parse)
        .setParameterExceptionHandler(Main::badArguments)
        .setExecutionExceptionHandler(Main::failed);
  }

  /** A bad option or value: what was wrong, and where the help is — not 130 lines of usage. */
  private static int badArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String origin = "";
    if (e.getArgSpec() != null && cmd.getCommandSpec().defaultValueProvider() instanceof SettingsSources sources) {
      origin = sources.origin(e.getArgSpec()).map(from -> " (the value came from " + from.source() + ")").orElse("");
    }
    err.println(name(cmd) + ": " + e.getMessage() + origin);
    err.println("see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
    return FAILED;
  }

  /**
   * A failure is one line saying what went wrong, and at most one more saying what to do; the stack
   * trace only with {@code --verbose}.
   */
  private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    String hint = null;
    String message = null;
    for (Throwable t = e; t != null && message == null; t = t.getCause()) {
      if (t instanceof CliFailure failure) {
        message = failure.getMessage();
        hint = failure.hint();
      } else if (t instanceof ConfigurationException problem) {
        message = problem.getMessage();
      }
    }
    if (message == null) {
      message = "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      hint = verbose ? null : "run again with --verbose for the stack trace; the server's log may say more";
    }
    err.println(name(cmd) + ": " + message);
    if (hint != null) {
      err.println("  " + hint);
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    return FAILED;
  }

  private static String name(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"auditflow " + (v == null ? "(development build)" : v)};
    }
  }
}
