package dev.auditflow.server.trail;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One producer epoch's accounts as stored (docs/COMPLETENESS.md): which of its sequence numbers
 * are stored, which the producer declared given up (by reason), and the gaps — numbers up to the
 * epoch's known end that are neither. A number both declared and stored (an unknown outcome that
 * was stored after all) counts as stored.
 *
 * @param principal who wrote the epoch's first event or declaration
 * @param highestSeq the highest number accounted for
 * @param issuedSeq the highest number the producer said its epoch had given, events it had not
 *     sent yet included (0 when it said none); numbers above {@code highestSeq} up to it are in
 *     flight while the epoch is open, and lost with the producer if it never comes back
 * @param closedLastSeq the epoch's last number, once its epoch-closed marker arrived; null before
 * @param declared numbers declared per reason, not counting stored ones
 * @param gaps numbers in {@code 1..end} neither stored nor declared, in order; {@code end} is {@code
 *     closedLastSeq} once known, else {@code highestSeq}
 */
public record ProducerEpochAccount(String producerId, UUID epoch, String principal, Instant firstSeen, Instant lastSeen,
    long highestSeq, long issuedSeq, Long closedLastSeq, Instant closedAt, long stored, Map<String, Long> declared, List<Gap> gaps) {

  /**
   * Numbers {@code first..last} that nobody accounted for, since {@code firstSeen}: when a number
   * after them was first accounted (or the epoch closed past them).
   */
  public record Gap(long first, long last, Instant firstSeen) {
    public long count() {
      return last - first + 1;
    }
  }

  public boolean closed() {
    return closedLastSeq != null;
  }

  /** Numbers declared, over all reasons. */
  public long declaredTotal() {
    return declared.values().stream().mapToLong(Long::longValue).sum();
  }
}
