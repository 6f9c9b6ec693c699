package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ChainHasher;
import dev.auditflow.verify.HashAlgorithm;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends new events to their chains, in the order given: each gets the next position of its
 * correlation's chain and a hash over the previous one. Pure computation; the caller holds the
 * chains' locks and supplies their current heads.
 */
final class ChainLinker {
  private final ChainHasher hasher;

  public ChainLinker(ChainHasher hasher) {
    this.hasher = hasher;
  }

  public HashAlgorithm algorithm() {
    return hasher.algorithm();
  }

  /** One event's place in its chain. */
  public record Link(AuditEvent event, LocalDate eventDate, long position, String previousHash, String hash) {}

  /** The links of the new events, and the new heads of the chains they extended. */
  public record Result(List<Link> links, Map<String, ChainHead> movedHeads) {}

  /**
   * An event ready to be linked: its canonical form with the position left open. Built before the
   * chains' locks are taken, so that writers of the same correlations wait on each other only for
   * the positions, the hashes and the write — not for serialising every event.
   */
  public record Prepared(AuditEvent event, LocalDate eventDate, CanonicalForm.Template canonical) {}

  /** @param ingestedBy the principal submitting it */
  public static Prepared prepare(AuditEvent e, Instant receivedAt, String ingestedBy) {
    LocalDate date = eventDate(e);
    return new Prepared(e, date, CanonicalForm.template(e, date, receivedAt, ingestedBy));
  }

  /**
   * @param events new events only (duplicates already removed), in the order they are stored
   * @param heads the current head of every chain involved; absent means a new chain
   */
  public Result link(List<Prepared> events, Map<String, ChainHead> heads) {
    Map<String, ChainHead> moved = new LinkedHashMap<>();
    List<Link> links = new ArrayList<>(events.size());
    for (Prepared p : events) {
      String correlationId = p.event().correlationId();
      ChainHead head = moved.getOrDefault(correlationId, heads.getOrDefault(correlationId, ChainHead.EMPTY));
      long position = head.position() + 1;
      String hash = hasher.hash(head.hash(), p.canonical(), position);
      links.add(new Link(p.event(), p.eventDate(), position, head.hash(), hash));
      moved.put(correlationId, new ChainHead(position, hash));
    }
    return new Result(links, moved);
  }

  /** The partition key: the UTC date of the event's timestamp. */
  public static LocalDate eventDate(AuditEvent e) {
    // Days since the epoch, directly: atOffset(UTC) would build a ZoneRules per call, per event.
    return LocalDate.ofEpochDay(Math.floorDiv(e.eventTimestamp().getEpochSecond(), 86_400));
  }
}
