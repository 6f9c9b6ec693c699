package dev.auditflow.cli;

import dev.auditflow.server.log.LogSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s options for the verifiable log's integrator. The log cannot be switched off
 * here: events stored while it is off never get a leaf, so only the benchmarks do that.
 */
@Section("log")
final class LogOptions {
  @Option(names = "--log-interval", defaultValue = "200ms",
      description = "How long the log's integrator waits between rounds when there was nothing to do; with a backlog"
          + " it goes again at once (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--log-max-leaves-per-round", defaultValue = "20000",
      description = "Most events one integration round takes into the log, which bounds its transaction; one"
          + " request's events are never split (default: ${DEFAULT-VALUE}).")
  int maxLeavesPerRound;

  @Option(names = "--replicated-checkpoints",
      description = "Sign only log state a synchronous standby has applied (each integration round commits with"
          + " synchronous_commit=remote_apply; set synchronous_standby_names on the primary): after a failover to"
          + " that standby no witness has seen a checkpoint it lacks. Events keep the database's own"
          + " synchronous_commit (docs/SCALE.md, Failover).")
  boolean replicatedCheckpoints;

  LogSettings settings() {
    return new LogSettings(true, interval, maxLeavesPerRound, replicatedCheckpoints);
  }
}
