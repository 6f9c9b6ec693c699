package dev.auditflow.server.log;

import dev.auditflow.server.runtime.ServerRuntime;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.server.trail.LogTamperedException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the integrator in the background: round after round while there is a backlog, one round
 * per interval otherwise. A failed round (database down) is logged once per outage and retried
 * every interval: the queue keeps every event meanwhile.
 */
public final class LogSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogSchedule.class);

  /** One integration round, as {@link TransparencyLog#integrate()}. */
  @FunctionalInterface
  public interface Rounds {
    TransparencyLog.Round integrate();
  }

  private final Rounds integrator;
  private final Duration interval;
  private final int maxLeaves;
  private boolean failing;
  private ServerRuntime.Loop loop;

  public LogSchedule(Rounds integrator, LogSettings settings) {
    this.integrator = integrator;
    this.interval = settings.interval();
    this.maxLeaves = settings.maxLeavesPerRound();
  }

  public void start(ServerRuntime runtime) {
    loop = runtime.loop("log-integrator", Duration.ZERO, this::round);
  }

  /** One round; the wait before the next. */
  private Duration round() {
    try {
      TransparencyLog.Round round = integrator.integrate();
      if (failing) {
        log.info("log integration works again tree_size={}", round.treeSize());
        failing = false;
      }
      // A full round leaves more behind: go again at once rather than let the backlog wait an interval.
      return round.integrated() >= maxLeaves ? Duration.ZERO : interval;
    } catch (LogTamperedException e) {
      if (!failing) {
        log.error("log integration refused: {}", e.getMessage());
      }
      failing = true;
    } catch (RuntimeException e) {
      if (!failing) {
        log.warn("log integration failed; queued events wait and are retried every {} error=\"{}\"", interval,
            e.getMessage());
      }
      failing = true;
    }
    return interval;
  }

  /** Lets a round under way finish (it is one transaction either way), then stops. */
  @Override
  public void close() {
    if (loop != null) {
      loop.close();
    }
  }
}
