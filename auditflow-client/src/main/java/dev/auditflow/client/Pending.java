package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;

/** An accepted event on its way to the server, with its enqueue time and its handle. */
final class Pending {
  final AuditEvent event;
  final long enqueuedAtNanos;
  final DeliveryHandle handle;
  /** The spool segment holding the event until it is settled; null without a spool. */
  final Spool.Segment spooledIn;
  /**
   * The event's number in its producer epoch, 0 without one. Numbering the event itself (a copy
   * with the producer fields) waits until its batch leaves, on a sender thread, not the caller's.
   */
  final long seq;

  Pending(AuditEvent event, long enqueuedAtNanos, DeliveryHandle handle) {
    this(event, enqueuedAtNanos, handle, null, 0);
  }

  Pending(AuditEvent event, long enqueuedAtNanos, DeliveryHandle handle, Spool.Segment spooledIn, long seq) {
    this.event = event;
    this.enqueuedAtNanos = enqueuedAtNanos;
    this.handle = handle;
    this.spooledIn = spooledIn;
    this.seq = seq;
  }

  /** The event as it is sent: with its producer fields. */
  AuditEvent numbered(Sequencer sequencer) {
    return seq == 0 || event.producerSeq() != null ? event : sequencer.numbered(event, seq);
  }
}
