package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.api.completeness.NumberRanges;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbers a producer's events and keeps what it gives up on (docs/COMPLETENESS.md). Every event
 * that passes validation gets the next sequence number of the store's epoch — dropped ones too —
 * and every number the store gives up on (dropped, failed, outcome unknown) is declared to the
 * server with a later batch, as ranges and a reason, never the event's content. With the
 * epoch-closed marker at close, the server can tell a complete epoch from one with gaps.
 */
final class Sequencer {
  private final String producerId;
  private final UUID epoch;
  private final AtomicLong last = new AtomicLong();
  /** Numbers given up and not yet declared: per reason, first → last, merged as they come. */
  private final Map<String, NumberRanges> pending = new TreeMap<>();

  Sequencer(String producerId, UUID epoch) {
    this(producerId, epoch, 0);
  }

  /** Resumes an epoch whose numbers up to {@code lastIssued} are taken (a spool's recovery). */
  Sequencer(String producerId, UUID epoch, long lastIssued) {
    this.producerId = producerId;
    this.epoch = epoch;
    this.last.set(lastIssued);
  }

  String producerId() {
    return producerId;
  }

  UUID epoch() {
    return epoch;
  }

  /** The event with the epoch's next number. */
  AuditEvent number(AuditEvent event) {
    return numbered(event, next());
  }

  /** The epoch's next number. */
  long next() {
    return last.incrementAndGet();
  }

  /** The event with number {@code seq} of this epoch. */
  AuditEvent numbered(AuditEvent event, long seq) {
    return event.withProducer(producerId, epoch, seq);
  }

  /** The highest number given so far (0 before the first). */
  long lastNumber() {
    return last.get();
  }

  /** Records that the store gave up on number {@code seq} for {@code reason}; 0 (unnumbered) is ignored. */
  synchronized void gaveUp(long seq, Reason reason) {
    if (seq > 0) {
      add(reason.name().toLowerCase(Locale.ROOT), seq, seq);
    }
  }

  /** Declares numbers {@code first..last} for {@code reason} (one of {@link Declaration#REASONS}). */
  synchronized void declare(String reason, long first, long lastSeq) {
    add(reason, first, lastSeq);
  }

  synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * The pending declarations as events, one per reason (several when one reason has more ranges
   * than a declaration carries), and forgets them: the caller delivers them, or gives them back
   * with {@link #restore}.
   */
  synchronized List<AuditEvent> takeDeclarations(Instant now) {
    List<AuditEvent> declarations = new ArrayList<>();
    pending.forEach((reason, ranges) -> {
      List<Declaration.SeqRange> list = ranges.ranges();
      for (int from = 0; from < list.size(); from += Declaration.MAX_RANGES) {
        declarations.add(Declaration.declared(producerId, epoch, reason,
            list.subList(from, Math.min(list.size(), from + Declaration.MAX_RANGES)), now));
      }
    });
    pending.clear();
    return declarations;
  }

  /** Declarations that were not delivered, to go with a later batch. */
  synchronized void restore(List<AuditEvent> declarations) {
    for (AuditEvent e : declarations) {
      Declaration.of(e).filter(d -> d.reason() != null)
          .ifPresent(d -> d.ranges().forEach(r -> add(d.reason(), r.first(), r.last())));
    }
  }

  /** The marker that ends the epoch at its last number. */
  AuditEvent closedMarker(Instant now) {
    return Declaration.closed(producerId, epoch, last.get(), now);
  }

  private void add(String reason, long first, long lastSeq) {
    pending.computeIfAbsent(reason, r -> new NumberRanges()).add(first, lastSeq);
  }
}
