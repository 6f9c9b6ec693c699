package dev.auditflow.client;

import java.time.Duration;

/**
 * A snapshot of a store's counters. Every event given to {@link AuditStore#store} ends in exactly
 * one of: {@code invalid} (thrown back), {@code rejectedAfterClose} (thrown back), {@code dropped}
 * (handle failed, never buffered), or {@code enqueued}; every enqueued event then ends in exactly
 * one of {@code acknowledged}, {@code failed} (known not stored) or {@code unknown} (may be
 * stored), or is still in the buffer or in flight.
 *
 * @param enqueued events accepted into the buffer
 * @param acknowledged events the server confirmed
 * @param dropped events refused because the buffer was full
 * @param failed enqueued events that were lost, known not to be stored (see their handles for the
 *     reason)
 * @param unknown enqueued events whose fate could not be learned: a request carrying them may
 *     have stored them ({@link AuditDeliveryException.Reason#OUTCOME_UNKNOWN})
 * @param invalid events refused by validation
 * @param rejectedAfterClose {@code store} calls after close began
 * @param queueDepth events in the buffer, not yet in a request
 * @param inFlightBatches batches being sent or waiting to retry
 * @param inFlightEvents events in those batches
 * @param oldestUnacknowledgedAge age of the oldest event enqueued and not yet acknowledged or
 *     failed; zero when there is none. The one number that says "events are late" and how late.
 */
public record AuditStoreStats(
    long enqueued,
    long acknowledged,
    long dropped,
    long failed,
    long unknown,
    long invalid,
    long rejectedAfterClose,
    int queueDepth,
    int inFlightBatches,
    int inFlightEvents,
    Duration oldestUnacknowledgedAge) {

  /** Events enqueued and not yet acknowledged, failed or of unknown outcome. */
  public long outstanding() {
    return enqueued - acknowledged - failed - unknown;
  }
}
