package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;

/** An accepted event on its way to the server, with its enqueue time and its handle. */
final class Pending {
  final AuditEvent event;
  final long enqueuedAtNanos;
  final DeliveryHandle handle;

  Pending(AuditEvent event, long enqueuedAtNanos, DeliveryHandle handle) {
    this.event = event;
    this.enqueuedAtNanos = enqueuedAtNanos;
    this.handle = handle;
  }
}
