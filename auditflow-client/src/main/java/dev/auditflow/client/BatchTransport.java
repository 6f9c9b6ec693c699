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
   * Gets ready for the first {@link #send}, best effort: loads and initialises what a send needs
   * and may open a connection, so that the first batch does not pay for it. The store calls it once,
   * on a thread of its own, when it is built; it must not throw. The default does nothing.
   */
  default void warmUp() {}

  /** Releases connections. The default does nothing. */
  @Override
  default void close() {}
}
