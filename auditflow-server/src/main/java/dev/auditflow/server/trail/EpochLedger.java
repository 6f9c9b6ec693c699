package dev.auditflow.server.trail;

import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.verify.SequenceAccounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One producer epoch's accounts as stored, before they are swept into counts and gaps
 * (docs/COMPLETENESS.md): the epoch's marks and the ranges of its numbers stored and declared.
 * When the trail spans shards, each shard keeps the part of an epoch it stored; the parts {@link
 * #merge} into the whole, which {@link #account()} sweeps exactly as one database's would be.
 *
 * @param principal who wrote the epoch's first event or declaration
 * @param ranges numbers stored ({@link Declaration#STORED}) or declared (per reason), each with when
 */
public record EpochLedger(String producerId, UUID epoch, String principal, Instant firstSeen, Instant lastSeen,
    long highestSeq, long issuedSeq, Long closedLastSeq, Instant closedAt, List<Range> ranges) {

  /** Numbers {@code first..last} of one kind, recorded at {@code recordedAt}. */
  public record Range(long first, long last, String kind, Instant recordedAt) {}

  /** Which epoch: a producer's id and the epoch's UUID. */
  public record Key(String producerId, UUID epoch) {}

  public EpochLedger {
    ranges = List.copyOf(ranges);
  }

  public Key key() {
    return new Key(producerId, epoch);
  }

  /**
   * The whole of an epoch from two parts: the earliest first sighting (and its principal), the
   * latest last, the highest marks, the closed marker from whichever part has it, every range.
   */
  public EpochLedger merge(EpochLedger other) {
    if (!key().equals(other.key())) {
      throw new IllegalArgumentException("parts of different epochs: " + key() + ", " + other.key());
    }
    EpochLedger first = firstSeen.isAfter(other.firstSeen) ? other : this;
    List<Range> all = new ArrayList<>(ranges);
    all.addAll(other.ranges);
    all.sort(Comparator.comparingLong(Range::first));
    return new EpochLedger(producerId, epoch, first.principal, first.firstSeen,
        lastSeen.isAfter(other.lastSeen) ? lastSeen : other.lastSeen, Math.max(highestSeq, other.highestSeq),
        Math.max(issuedSeq, other.issuedSeq), closedLastSeq != null ? closedLastSeq : other.closedLastSeq,
        closedAt != null ? closedAt : other.closedAt, all);
  }

  /** The ranges swept into counts and gaps ({@link SequenceAccounts}), each gap dated. */
  public ProducerEpochAccount account() {
    long end = closedLastSeq != null ? closedLastSeq : highestSeq;
    List<SequenceAccounts.Range> stored = new ArrayList<>();
    Map<String, List<SequenceAccounts.Range>> declared = new TreeMap<>();
    for (Range r : ranges) {
      SequenceAccounts.Range range = new SequenceAccounts.Range(r.first(), r.last());
      if (Declaration.STORED.equals(r.kind())) {
        stored.add(range);
      } else {
        declared.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(range);
      }
    }
    SequenceAccounts.Summary summary = SequenceAccounts.of(stored, declared, end);
    List<ProducerEpochAccount.Gap> gaps = summary.gaps().stream().map(this::gap).toList();
    return new ProducerEpochAccount(producerId, epoch, principal, firstSeen, lastSeen, highestSeq, issuedSeq,
        closedLastSeq, closedAt, summary.stored(), summary.declared(), gaps);
  }

  /** A gap is first seen when a number after it was first accounted for, or when the epoch closed past it. */
  private ProducerEpochAccount.Gap gap(SequenceAccounts.Range g) {
    Instant seen = ranges.stream().filter(r -> r.first() > g.last()).map(Range::recordedAt).min(Instant::compareTo)
        .orElse(Objects.requireNonNullElse(closedAt, lastSeen));
    return new ProducerEpochAccount.Gap(g.first(), g.last(), seen);
  }
}
