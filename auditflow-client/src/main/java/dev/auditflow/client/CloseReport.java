package dev.auditflow.client;

/**
 * What a closed store did over its lifetime. {@link #lost()} is exact: each lost event's handle
 * completed exceptionally with the reason.
 *
 * @param enqueued events accepted into the buffer
 * @param acknowledged events the server confirmed
 * @param failed enqueued events not confirmed — delivery failed, or close ran out of time
 * @param dropped events refused at {@code store} because the buffer was full
 * @param rejectedAfterClose {@code store} calls refused because the store was closing
 * @param completed true when close finished draining within its timeout
 */
public record CloseReport(
    long enqueued, long acknowledged, long failed, long dropped, long rejectedAfterClose, boolean completed) {

  /** Events handed to the store and not acknowledged: failed plus dropped. */
  public long lost() {
    return failed + dropped;
  }
}
