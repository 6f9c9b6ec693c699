package dev.auditflow.client;

/** What {@link AuditStore#store} does when the buffer is full. */
public enum OverflowPolicy {
  /**
   * Backpressure: the calling thread waits up to the overflow timeout for space, then the event is
   * rejected (its handle fails with {@link AuditDeliveryException.Reason#BUFFER_FULL}). The
   * default, because an audit trail with holes is worth less than a caller slowed down briefly.
   */
  BLOCK,
  /** The event is rejected at once. For callers that must never wait; every drop is counted. */
  DROP
}
