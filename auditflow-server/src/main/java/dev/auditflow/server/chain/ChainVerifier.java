package dev.auditflow.server.chain;

import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.ChainHead;
import dev.auditflow.server.trail.ChainStart;
import dev.auditflow.server.trail.InvalidPurgeRecordException;
import dev.auditflow.server.trail.StoredEvent;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ChainHasher;
import dev.auditflow.verify.HashAlgorithm;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Recomputes hash chains from the stored rows and reports the first place where one does not
 * hold, and why. Checks per row, in chain-position order:
 *
 * <ol>
 *   <li>{@code inserted_row}: a second row at the same position, a row beyond the chain's
 *       recorded head, or rows of a chain with no head at all;
 *   <li>{@code missing_position}: a position skipped, or fewer rows than the head records — rows
 *       were deleted;
 *   <li>{@code broken_link}: the row's {@code previous_event_hash} is not the previous row's hash —
 *       rows were reordered or re-linked;
 *   <li>{@code modified_content}: the hash recomputed from the row's content differs from its
 *       {@code event_hash}, the last row's hash differs from the head's, or an unkeyed row
 *       follows a keyed one (a forger without the key re-hashing with plain SHA-256).
 * </ol>
 *
 * <p>A chain whose oldest events were purged by retention starts where its signed purge records
 * say (the purge records): the first remaining row must be at the position after the last one
 * purged and link to the last purged event's hash. Rows missing without such a record are
 * {@code missing_position}; a purge record that is out of sequence, altered or signed by an
 * untrusted key is {@code invalid_purge_record}.
 */
public final class ChainVerifier {
  private final AuditTrail trail;
  private final ChainHasher hasher;
  private final int maxChainsPerRange;

  /** @param maxChainsPerRange the most chains one verification of a time range walks */
  public ChainVerifier(AuditTrail trail, ChainHasher hasher, int maxChainsPerRange) {
    this.trail = trail;
    this.hasher = hasher;
    this.maxChainsPerRange = maxChainsPerRange;
  }

  /**
   * Where a chain first fails to hold. The row's timestamp and hashes are given when a row is at
   * fault: {@code expectedHash} is what the chain says its hash (or, for a broken link, its
   * previous hash) should be, {@code actualHash} what the row holds.
   */
  public record Break(String correlationId, UUID eventId, long position, String reason, String detail,
      Instant eventTimestamp, String expectedHash, String actualHash, String previousHash) {}

  /** The outcome of a verification. */
  public record Result(boolean verified, long eventsChecked, long chainsChecked, Break firstBreak) {}

  /** A chain as verification saw it: the verdict, its recorded head, and how much was purged. */
  public record Summary(Result result, long headPosition, String headHash, long purgedThrough) {}

  /**
   * Verifies one chain and states its head and purge point, all as of one snapshot: a write or
   * purge committing meanwhile cannot look like tampering.
   */
  public Summary summarise(String correlationId) {
    return trail.inSnapshot("verifying chain " + correlationId, snapshot -> {
      Result result = verifyChains(snapshot, List.of(correlationId));
      Optional<ChainHead> head = snapshot.head(correlationId);
      long purged;
      try {
        purged = snapshot.start(correlationId).purgedThrough();
      } catch (InvalidPurgeRecordException e) {
        purged = -1; // the result names the invalid record
      }
      return new Summary(result, head.map(ChainHead::position).orElse(0L), head.map(ChainHead::hash).orElse(null), purged);
    });
  }

  /** How many events of a correlation are stored. */
  public long countEvents(String correlationId) {
    return trail.countChains(List.of(correlationId)).getOrDefault(correlationId, 0L);
  }

  public Result verifyCorrelation(String correlationId) {
    return trail.inSnapshot("verifying chain " + correlationId, snapshot -> verifyChains(snapshot, List.of(correlationId)));
  }

  /** Verifies, whole, every chain that has an event in {@code [since, until)}. */
  public Result verifyRange(Instant since, Instant until) {
    return trail.inSnapshot("verifying a time range", snapshot -> {
      List<String> chains = snapshot.chainsWithEventsIn(since, until, maxChainsPerRange + 1);
      if (chains.size() > maxChainsPerRange) {
        // Each chain is read whole: the bound keeps one request's work, and the read connection it
        // holds, to a known size (RequestLimits.maxVerifyChains).
        throw new IllegalArgumentException("the range holds more than " + maxChainsPerRange
            + " chains, the most one request verifies; verify a shorter range, or chains one by one");
      }
      return verifyChains(snapshot, chains);
    });
  }

  private Result verifyChains(AuditTrail.Snapshot snapshot, List<String> correlationIds) {
    long events = 0;
    for (String correlationId : correlationIds) {
      ChainStart start;
      try {
        start = snapshot.start(correlationId);
      } catch (InvalidPurgeRecordException e) {
        Break invalid = new Break(correlationId, null, 0, "invalid_purge_record", e.getMessage(), null, null, null, null);
        return new Result(false, events, correlationIds.indexOf(correlationId) + 1L, invalid);
      }
      ChainWalk walk = new ChainWalk(correlationId, snapshot.head(correlationId), start);
      snapshot.walk(correlationId, walk::accept); // accept() stops the walk at the first break
      walk.finish();
      events += walk.checked;
      if (walk.broken != null) {
        return new Result(false, events, correlationIds.indexOf(correlationId) + 1L, walk.broken);
      }
    }
    return new Result(true, events, correlationIds.size(), null);
  }

  /** The state of one chain's walk. */
  private final class ChainWalk {
    final String correlationId;
    final Optional<ChainHead> head;
    long expectedPosition = 1;
    String expectedPrevious = ChainHasher.GENESIS;
    StoredEvent last;
    boolean keyed;
    long checked;
    Break broken;

    ChainWalk(String correlationId, Optional<ChainHead> head, ChainStart start) {
      this.correlationId = correlationId;
      this.head = head;
      if (start.purgedThrough() > 0) {
        expectedPosition = start.purgedThrough() + 1;
        expectedPrevious = start.lastHash();
        keyed = HashAlgorithm.fromColumn(start.lastAlgorithm()) == HashAlgorithm.HMAC_SHA256;
      }
    }

    /** Checks the next row; false once the chain is broken. */
    boolean accept(StoredEvent row) {
      checked++;
      long position = row.chainPosition() == null ? -1 : row.chainPosition();
      if (head.isEmpty()) {
        return fail(row, position, "inserted_row", "the chain has no recorded head: its rows were not written by auditflow");
      }
      if (last != null && position == last.chainPosition()) {
        return fail(row, position, "inserted_row", "a second row at position " + position);
      }
      if (position > head.get().position()) {
        return fail(row, position, "inserted_row",
            "position " + position + " is beyond the chain's head at " + head.get().position());
      }
      if (position != expectedPosition) {
        return fail(row, expectedPosition, "missing_position",
            "position " + expectedPosition + " is missing (next row found is at " + position + ")");
      }
      if (!expectedPrevious.equals(row.previousEventHash())) {
        return fail(row, position, "broken_link",
            "previous_event_hash does not match the hash of the event at position " + (position - 1),
            expectedPrevious, row.previousEventHash());
      }
      HashAlgorithm algorithm = HashAlgorithm.fromColumn(row.hashAlgorithm());
      if (keyed && algorithm == HashAlgorithm.SHA256) {
        return fail(row, position, "modified_content",
            "the chain was HMAC-keyed before this row; an unkeyed row after it is a downgrade");
      }
      keyed |= algorithm == HashAlgorithm.HMAC_SHA256;
      Optional<String> recomputed = hasher.hash(algorithm, row.previousEventHash(),
          CanonicalForm.of(row.event(), position, row.eventDate(), row.receivedAt(), row.ingestedBy()));
      if (recomputed.isEmpty()) {
        return fail(row, position, "unverifiable", "the row is HMAC-keyed and this server has no chain key");
      }
      if (!recomputed.get().equals(row.eventHash())) {
        return fail(row, position, "modified_content", "the event's content does not match its event_hash",
            recomputed.get(), row.eventHash());
      }
      last = row;
      expectedPosition++;
      expectedPrevious = row.eventHash();
      return true;
    }

    void finish() {
      if (broken != null || head.isEmpty()) {
        return;
      }
      long recorded = head.get().position();
      if (expectedPosition - 1 < recorded) {
        broken = new Break(correlationId, null, expectedPosition, "missing_position",
            "the chain's head records " + recorded + " events, only " + (expectedPosition - 1) + " are stored",
            null, null, null, null);
      } else if (last == null && expectedPosition > 1 && !expectedPrevious.equals(head.get().hash())) {
        broken = new Break(correlationId, null, expectedPosition - 1, "modified_content",
            "every event was purged, but the last purged hash differs from the chain's recorded head", null,
            head.get().hash(), expectedPrevious, null);
      } else if (last != null && !last.eventHash().equals(head.get().hash())) {
        broken = new Break(correlationId, last.event().eventId(), last.chainPosition(), "modified_content",
            "the last event's hash differs from the chain's recorded head", last.event().eventTimestamp(),
            head.get().hash(), last.eventHash(), last.previousEventHash());
      }
    }

    private boolean fail(StoredEvent row, long position, String reason, String detail) {
      return fail(row, position, reason, detail, null, row.eventHash());
    }

    private boolean fail(StoredEvent row, long position, String reason, String detail, String expected, String actual) {
      broken = new Break(correlationId, row.event().eventId(), position, reason, detail, row.event().eventTimestamp(),
          expected, actual, row.previousEventHash());
      return false;
    }
  }
}
