package dev.auditflow.server.log;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the integrator in the background: round after round while there is a backlog, one round
 * per interval otherwise. A failed round (database down) is logged once per outage and retried:
 * the queue keeps every event meanwhile.
 */
public final class LogSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogSchedule.class);

  private final LogIntegrator integrator;
  private final Duration interval;
  private final int maxLeaves;
  private final Thread thread;
  private volatile boolean running = true;

  public LogSchedule(LogIntegrator integrator, LogSettings settings) {
    this.integrator = integrator;
    this.interval = settings.interval();
    this.maxLeaves = settings.maxLeavesPerRound();
    this.thread = new Thread(this::loop, "auditflow-log-integrator");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    boolean failing = false;
    while (running) {
      boolean backlog = false;
      try {
        LogIntegrator.Round round = integrator.integrate();
        backlog = round.integrated() >= maxLeaves;
        if (failing) {
          log.info("log integration works again tree_size={}", round.treeSize());
          failing = false;
        }
      } catch (LogTamperedException e) {
        if (!failing) {
          log.error("log integration refused: {}", e.getMessage());
        }
        failing = true;
      } catch (RuntimeException e) {
        if (!failing && running) {
          log.warn("log integration failed; queued events wait and are retried every {} error=\"{}\"", interval,
              e.getMessage());
        }
        failing = true;
      }
      if (!backlog) {
        try {
          TimeUnit.MILLISECONDS.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Lets a round under way finish (it is one transaction either way), then stops. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
