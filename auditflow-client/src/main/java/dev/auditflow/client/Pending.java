package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;

/** An accepted event on its way to the server, with its enqueue time and its handle. */
final class Pending {
  final AuditEvent event;
  final long enqueuedAtNanos;
  final DeliveryHandle handle;
  /** The spool segment holding the event until it is settled; null without a spool. */
  final Spool.Segment spooledIn;

  Pending(AuditEvent event, long enqueuedAtNanos, DeliveryHandle handle) {
    this(event, enqueuedAtNanos, handle, null);
  }

  Pending(AuditEvent event, long enqueuedAtNanos, DeliveryHandle handle, Spool.Segment spooledIn) {
    this.event = event;
    this.enqueuedAtNanos = enqueuedAtNanos;
    this.handle = handle;
    this.spooledIn = spooledIn;
  }
}
