package dev.auditflow.spring;

import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreStats;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The client's delivery as actuator health ({@code auditflow}): DOWN while events are being lost
 * — dropped for a full buffer, failed, or of unknown outcome since the previous check — or while
 * the oldest undelivered event has waited longer than the flush interval plus {@code
 * auditflow.client.health.max-delivery-lag} (the server is down or too slow: an event waits a
 * flush interval in the buffer by design), with the reason; UP otherwise. It reads the store's counters
 * and never calls the server. It is not part of the liveness group: a restart does not bring an
 * audit server back.
 */
final class AuditStoreHealthIndicator extends AbstractHealthIndicator {
  private final AuditStore store;
  private final Duration flushInterval;
  private final Duration maxDeliveryLag;
  private long lostAtLastCheck;

  AuditStoreHealthIndicator(AuditStore store, Duration flushInterval, Duration maxDeliveryLag) {
    super("auditflow client health check failed");
    this.store = store;
    this.flushInterval = flushInterval;
    this.maxDeliveryLag = maxDeliveryLag;
  }

  @Override
  protected void doHealthCheck(Health.Builder health) {
    AuditStoreStats stats = store.stats();
    long lost = stats.dropped() + stats.failed() + stats.unknown();
    long newlyLost;
    synchronized (this) {
      newlyLost = lost - lostAtLastCheck;
      lostAtLastCheck = lost;
    }
    if (newlyLost > 0) {
      health.down().withDetail("reason", newlyLost + " events lost since the last check (dropped for a full buffer: "
          + stats.dropped() + ", failed: " + stats.failed() + ", outcome unknown: " + stats.unknown() + ", in total)");
    } else if (stats.oldestUnacknowledgedAge().compareTo(flushInterval.plus(maxDeliveryLag)) > 0) {
      health.down().withDetail("reason", "the oldest undelivered event has waited "
          + stats.oldestUnacknowledgedAge().toMillis() + " ms, more than the flush interval and "
          + maxDeliveryLag.toMillis() + " ms: the auditflow server is unreachable or too slow");
    } else {
      health.up();
    }
    health.withDetail("enqueued", stats.enqueued()).withDetail("acknowledged", stats.acknowledged())
        .withDetail("dropped", stats.dropped()).withDetail("failed", stats.failed())
        .withDetail("unknown", stats.unknown()).withDetail("queueDepth", stats.queueDepth())
        .withDetail("oldestUnacknowledgedAgeMillis", stats.oldestUnacknowledgedAge().toMillis());
  }
}
