package dev.auditflow.cli;

import picocli.CommandLine.Command;

/** {@code auditflow log}: the verifiable log's client side (docs/LOG.md). */
@Command(name = "log", mixinStandardHelpOptions = true,
    description = "Check the verifiable log: witness its checkpoints, prove an event is in it.",
    subcommands = {LogVerifyCommand.class, LogProveCommand.class})
final class LogCommand {}
