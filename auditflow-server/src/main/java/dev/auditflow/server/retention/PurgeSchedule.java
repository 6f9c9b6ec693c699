package dev.auditflow.server.retention;

import dev.auditflow.server.failure.ConflictException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the purge inside {@code serve}, every {@code interval}, each run bounded by {@code maxEvents}. */
public final class PurgeSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PurgeSchedule.class);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "auditflow-purge");
    t.setDaemon(true);
    return t;
  });

  public PurgeSchedule(Purger purger, Duration interval, long maxEvents) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        purger.run(false, maxEvents, "auditflow");
      } catch (ConflictException busy) {
        log.info("scheduled purge skipped: another purge is running");
      } catch (RuntimeException e) {
        // The next run starts from the database's state; nothing is lost by waiting for it.
        log.warn("scheduled purge failed; retrying in {} error=\"{}\"", interval, e.getMessage());
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
