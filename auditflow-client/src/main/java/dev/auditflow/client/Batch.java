package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import java.util.ArrayList;
import java.util.List;

/** Events taken from the buffer together, sent (and retried) as one request. */
final class Batch {
  final List<Pending> entries;
  final SendTrigger trigger;
  /** Enqueue time of the first, and so oldest, entry: the buffer is FIFO. */
  final long oldestEnqueuedAtNanos;
  /**
   * Set once the outcome is known, before the handles complete. The batch stays in the in-flight
   * set until its handles are complete (so flush cannot miss it), but stats no longer count it.
   */
  volatile boolean settled;

  Batch(List<Pending> entries, SendTrigger trigger) {
    this.entries = entries;
    this.trigger = trigger;
    this.oldestEnqueuedAtNanos = entries.get(0).enqueuedAtNanos;
  }

  List<AuditEvent> events() {
    List<AuditEvent> events = new ArrayList<>(entries.size());
    for (Pending p : entries) {
      events.add(p.event);
    }
    return events;
  }

  int size() {
    return entries.size();
  }
}
