package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;

/** An accepted event on its way to the server, with its sequence number and enqueue time. */
final class Pending {
  final AuditEvent event;
  final long seq;
  final long enqueuedAtNanos;
  final DeliveryHandle handle;

  Pending(AuditEvent event, long seq, long enqueuedAtNanos, DeliveryHandle handle) {
    this.event = event;
    this.seq = seq;
    this.enqueuedAtNanos = enqueuedAtNanos;
    this.handle = handle;
  }
}
