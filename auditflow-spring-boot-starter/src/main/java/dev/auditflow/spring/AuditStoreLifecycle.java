package dev.auditflow.spring;

import dev.auditflow.client.AuditStore;
import dev.auditflow.client.CloseReport;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the store — draining its buffer to the server — when the application shuts down, in a
 * phase after the web server has stopped taking requests, so that the audit events of the last
 * requests are sent too. The report says what, if anything, could not be delivered.
 */
final class AuditStoreLifecycle implements SmartLifecycle {
  /**
   * Below the web server's graceful shutdown ({@code DEFAULT_PHASE - 2048}) and stop ({@code
   * DEFAULT_PHASE - 1024}): Spring stops higher phases first.
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger log = LoggerFactory.getLogger(AuditStoreLifecycle.class);

  private final AuditStore store;
  private final Duration timeout;
  private volatile boolean running;

  AuditStoreLifecycle(AuditStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  @Override
  public void start() {
    running = true; // the store runs from the moment it is built
  }

  @Override
  public void stop() {
    running = false;
    CloseReport report = store.close(timeout);
    if (report.lost() > 0) {
      log.warn("auditflow client closed with events not delivered: {}", report);
    } else {
      log.info("auditflow client closed, every event delivered: {}", report);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
