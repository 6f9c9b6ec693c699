package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Events taken from the buffer together, sent (and retried) as one request. */
final class Batch {
  final List<Pending> entries;
  final SendTrigger trigger;
  /** Enqueue time of the first, and so oldest, entry: the buffer is FIFO. */
  final long oldestEnqueuedAtNanos;
  /**
   * Whether a request carrying this batch may have stored it: true from the moment an attempt
   * starts until a definitive answer says it did not, and for good once any attempt ended
   * without one. {@code close} reads it to tell a lost batch from one whose fate is unknown.
   */
  volatile boolean mayBeStored;
  /**
   * Set once the outcome is known, before the handles complete; exactly one party (the sender,
   * or {@code close} abandoning it) gets to settle a batch. The batch stays in the in-flight set
   * until its handles are complete (so flush cannot miss it), but stats no longer count it.
   */
  private final AtomicBoolean settled = new AtomicBoolean();
  /**
   * The producer's declarations that ride with this batch (docs/COMPLETENESS.md): sent with its
   * events, not counted among them; given back to the {@link Sequencer} if the batch fails. Set
   * before the batch reaches its sender.
   */
  volatile List<AuditEvent> declarations = List.of();
  /** Numbers the entries' events as they are sent; null when producer sequences are off. Set with the declarations. */
  volatile Sequencer numbering;
  /** The highest number the epoch had given when the batch was formed (0 without sequences). Set with the declarations. */
  volatile long issued;

  Batch(List<Pending> entries, SendTrigger trigger) {
    this.entries = entries;
    this.trigger = trigger;
    this.oldestEnqueuedAtNanos = entries.get(0).enqueuedAtNanos;
  }

  /** What the request carries: the entries' events, then any declarations. */
  List<AuditEvent> events() {
    List<AuditEvent> events = new ArrayList<>(entries.size() + declarations.size());
    for (Pending p : entries) {
      events.add(numbering == null ? p.event : p.numbered(numbering));
    }
    events.addAll(declarations);
    return events;
  }

  int size() {
    return entries.size();
  }

  /** True for the one caller that settles the batch; false if it is settled already. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  boolean isSettled() {
    return settled.get();
  }
}
