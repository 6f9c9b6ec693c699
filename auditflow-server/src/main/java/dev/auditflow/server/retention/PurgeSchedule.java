package dev.auditflow.server.retention;

import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the purge inside {@code serve}, every {@code interval} after the last run ended. */
public final class PurgeSchedule implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PurgeSchedule.class);

  private final ServerRuntime.Loop loop;

  /**
   * @param purge one bounded purge run, as {@code trail.purge(false, maxEvents, Actor.SERVER)}
   */
  public PurgeSchedule(Runnable purge, Duration interval, ServerRuntime runtime, MeterRegistry registry) {
    // Counted so that an alert sees what only the log said: expired events stay until a run succeeds.
    Counter failures = Counter.builder("auditflow.purge.failures")
        .description("Scheduled purge runs that failed (the next run retries)").register(registry);
    this.loop = runtime.loop("purge", interval, () -> {
      try {
        purge.run();
      } catch (ConflictException busy) {
        log.info("scheduled purge skipped: another purge is running");
      } catch (RuntimeException e) {
        failures.increment();
        // The next run starts from the database's state; nothing is lost by waiting for it.
        log.warn("scheduled purge failed; retrying in {} error=\"{}\"", interval, e.getMessage());
      }
      return interval;
    });
  }

  @Override
  public void close() {
    loop.close();
  }
}
