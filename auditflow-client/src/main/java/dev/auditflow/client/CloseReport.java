package dev.auditflow.client;

/**
 * What a closed store did over its lifetime. {@link #lost()} is exact: each lost event's handle
 * completed exceptionally with the reason, and none of them is stored. Events whose fate could
 * not be learned are counted apart, in {@link #unknown()}.
 *
 * @param enqueued events accepted into the buffer
 * @param acknowledged events the server confirmed
 * @param failed enqueued events known not to be stored — delivery failed, or close ran out of
 *     time before they were sent
 * @param unknown enqueued events that may or may not be stored ({@link
 *     AuditDeliveryException.Reason#OUTCOME_UNKNOWN})
 * @param dropped events refused at {@code store} because the buffer was full
 * @param rejectedAfterClose {@code store} calls refused because the store was closing
 * @param completed true when close finished draining within its timeout
 */
public record CloseReport(
    long enqueued, long acknowledged, long failed, long unknown, long dropped, long rejectedAfterClose,
    boolean completed) {

  /** Events handed to the store and known not to be stored: failed plus dropped. */
  public long lost() {
    return failed + dropped;
  }
}
