package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import java.time.Duration;

/**
 * Emits audit events to the auditflow service without blocking the caller on the network.
 *
 * <p>Events are validated, buffered, and sent in batches: a batch goes out when it reaches the
 * batch size, or when its oldest event has waited the flush interval — a deadline taken from the
 * event, so neither a slow write nor a retry can stretch it for the events behind. Failed
 * attempts are retried with back-off until the delivery timeout. Every accepted event ends
 * acknowledged or with a reason on its {@link DeliveryHandle}; nothing is lost silently.
 *
 * <pre>{@code
 * try (AuditStore audit = AuditStore.builder().endpoint(URI.create("http://localhost:8080")).build()) {
 *   DeliveryHandle handle = audit.store(event);
 *   audit.flush(Duration.ofSeconds(5)); // optional: wait until everything so far is stored
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface AuditStore extends AutoCloseable {

  /** A builder with the defaults of {@link AuditStoreConfig#DEFAULTS}. */
  static AuditStoreBuilder builder() {
    return new AuditStoreBuilder();
  }

  /**
   * Validates and enqueues an event. Returns at once, unless the buffer is full and the policy is
   * {@link OverflowPolicy#BLOCK}, in which case it waits up to the overflow timeout.
   *
   * @return the event's handle; if the buffer stayed full it is already failed with {@link
   *     AuditDeliveryException.Reason#BUFFER_FULL}
   * @throws InvalidAuditEventException if the event breaks a rule (it is not buffered)
   * @throws AuditStoreClosedException if the store is closing or closed
   */
  DeliveryHandle store(AuditEvent event);

  /**
   * As {@link #store}, and returns only once the event is on disk in the store's spool, whatever
   * its fsync policy (docs/COMPLETENESS.md): for the events that must survive a crash of the
   * machine, not only of the process.
   *
   * @throws IllegalStateException if the store has no spool ({@code spoolDirectory})
   */
  default DeliveryHandle storeDurably(AuditEvent event) {
    throw new IllegalStateException("storeDurably needs a spool: build the store with spoolDirectory(path)");
  }

  /**
   * Sends everything enqueued before this call without waiting for the flush interval, and waits
   * until all of it is acknowledged.
   *
   * @throws AuditFlushException if any of it failed, or was unacknowledged at the timeout
   */
  void flush(Duration timeout) throws AuditFlushException, InterruptedException;

  /** Counters and gauges at this moment. */
  AuditStoreStats stats();

  /**
   * Stops accepting events, sends everything buffered, waits up to {@code timeout} for it to be
   * acknowledged, then releases threads and connections. Events not acknowledged by then fail
   * with {@link AuditDeliveryException.Reason#CLOSED_BEFORE_DELIVERY}. Idempotent: later calls
   * wait for the first and return its report.
   */
  CloseReport close(Duration timeout);

  /** {@link #close(Duration)} with the configured close timeout; losses are logged. */
  @Override
  void close();
}
