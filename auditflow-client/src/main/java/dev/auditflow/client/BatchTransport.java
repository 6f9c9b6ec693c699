package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import java.time.Duration;
import java.util.List;

/**
 * Sends one batch of events to the audit service. The store calls it from its sender threads,
 * at most {@code maxInFlightBatches} calls at a time, and owns retrying: an implementation makes
 * exactly one attempt and classifies its failure.
 *
 * <p>The HTTP implementation is {@link dev.auditflow.client.http.HttpBatchTransport}; tests and
 * benchmarks plug in their own.
 */
public interface BatchTransport extends AutoCloseable {

  /**
   * Makes one attempt to deliver {@code batch}, atomically: either every event is stored (or
   * durably queued) or none is.
   *
   * @param timeout the most this attempt may take
   * @return the server's acknowledgement
   * @throws TransportException if the attempt failed; {@link TransportException#retryable()} says
   *     whether another attempt could succeed
   * @throws InterruptedException if the store is abandoning delivery (close timed out)
   */
  BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException, InterruptedException;

  /**
   * Like {@link #send(List, Duration)}, for a store that numbers its events (docs/COMPLETENESS.md):
   * {@code issued} is the highest sequence number its epoch had given when the batch was formed —
   * events still buffered behind it included. The server keeps it, so that if the producer dies
   * before those events arrive their numbers are named as a gap instead of vanishing with it. The
   * HTTP transport sends it as the {@code Auditflow-Producer-Issued} header; the default drops it.
   */
  default BatchAck send(List<AuditEvent> batch, long issued, Duration timeout)
      throws TransportException, InterruptedException {
    return send(batch, timeout);
  }

  /**
   * Gets ready for the first {@link #send}, best effort: loads and initialises what a send needs
   * and may open a connection, so that the first batch does not pay for it. The store calls it once,
   * on a thread of its own, when it is built; it must not throw. The default does nothing.
   */
  default void warmUp() {}

  /** Releases connections. The default does nothing. */
  @Override
  default void close() {}
}
