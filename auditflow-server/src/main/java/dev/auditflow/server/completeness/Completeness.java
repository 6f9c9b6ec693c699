package dev.auditflow.server.completeness;

import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.ProducerEpochAccount;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides what producers' accounts mean (docs/COMPLETENESS.md): an epoch is {@code closed} once
 * its producer said where it ended, {@code abandoned} when it did not and has not been heard from
 * for the grace period, {@code open} otherwise; a gap older than the grace period is
 * <em>unaccounted loss</em> — its producer had all that time to deliver or declare those numbers.
 * An abandoned epoch's numbers past what was accounted, up to the producer's last issued mark,
 * are a gap too: events it had accepted and never sent, lost with it.
 */
public final class Completeness {
  /** An epoch's state. */
  public enum State {
    OPEN, CLOSED, ABANDONED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * An epoch's accounts with what they mean now.
   *
   * @param gaps the account's gaps, and an abandoned epoch's unsent tail
   * @param unaccounted those of the gaps older than the grace period
   */
  public record EpochReport(ProducerEpochAccount account, State state, List<ProducerEpochAccount.Gap> gaps,
      List<ProducerEpochAccount.Gap> unaccounted) {
    /** Every number up to the epoch's known end is stored or declared. */
    public boolean accountedFor() {
      return gaps.isEmpty();
    }

    /** The epoch's last number as far as anyone knows: where it closed, else the highest accounted or issued. */
    public long lastSeq() {
      return account.closed() ? account.closedLastSeq() : gaps.isEmpty() ? account.highestSeq()
          : Math.max(account.highestSeq(), gaps.get(gaps.size() - 1).last());
    }

    /** Numbers in gaps. */
    public long missing() {
      return gaps.stream().mapToLong(ProducerEpochAccount.Gap::count).sum();
    }
  }

  /** Which epochs a listing shows: any, or those in one state, or those with gaps. */
  public enum Selection {
    ANY, OPEN, CLOSED, ABANDONED, WITH_GAPS;

    /** The selection a {@code state} parameter names: {@code open}, {@code closed}, {@code abandoned}, {@code with-gaps}. */
    public static Optional<Selection> parse(String text) {
      if (text == null) {
        return Optional.of(ANY);
      }
      for (Selection s : values()) {
        if (s != ANY && s.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }

    boolean admits(EpochReport r) {
      return switch (this) {
        case ANY -> true;
        case OPEN -> r.state() == State.OPEN;
        case CLOSED -> r.state() == State.CLOSED;
        case ABANDONED -> r.state() == State.ABANDONED;
        case WITH_GAPS -> !r.accountedFor();
      };
    }
  }

  private final AuditTrail trail;
  private final Duration grace;
  private final Clock clock;

  /** @param grace how long a gap may stay open before it is unaccounted loss */
  public Completeness(AuditTrail trail, Duration grace, Clock clock) {
    this.trail = trail;
    this.grace = grace;
    this.clock = clock;
  }

  public Duration grace() {
    return grace;
  }

  Instant now() {
    return clock.instant();
  }

  /** Epochs seen since {@code since} (all when null), of one producer or all, newest first. */
  public List<EpochReport> epochs(Instant since, String producerId, Selection selection, int limit) {
    Instant now = clock.instant();
    // A state is decided here, not in the store: read a bounded number more and filter.
    return trail.producerEpochs(since, producerId, selection == Selection.ANY ? limit : MAX_SCANNED).stream()
        .map(a -> report(a, now)).filter(selection::admits).limit(limit).toList();
  }

  /** The most epochs a filtered listing examines. */
  static final int MAX_SCANNED = 10_000;

  public Optional<EpochReport> epoch(String producerId, UUID epoch) {
    Instant now = clock.instant();
    return trail.producerEpoch(producerId, epoch).map(a -> report(a, now));
  }

  EpochReport report(ProducerEpochAccount a, Instant now) {
    Instant overdue = now.minus(grace);
    State state = a.closed() ? State.CLOSED : a.lastSeen().isBefore(overdue) ? State.ABANDONED : State.OPEN;
    List<ProducerEpochAccount.Gap> gaps = a.gaps();
    if (state == State.ABANDONED && a.issuedSeq() > a.highestSeq()) {
      // Accepted by the producer, never sent: while it was alive these were in flight.
      gaps = new ArrayList<>(gaps);
      gaps.add(new ProducerEpochAccount.Gap(a.highestSeq() + 1, a.issuedSeq(), a.lastSeen()));
    }
    List<ProducerEpochAccount.Gap> unaccounted = gaps.stream().filter(g -> g.firstSeen().isBefore(overdue)).toList();
    return new EpochReport(a, state, List.copyOf(gaps), unaccounted);
  }
}
