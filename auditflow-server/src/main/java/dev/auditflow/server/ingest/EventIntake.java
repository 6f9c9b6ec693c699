package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import java.util.List;
import java.util.UUID;

/**
 * Where validated events go: straight into the trail ({@link DirectIntake}, with the dead-letter
 * queue behind it), or into a replicated ingest log that writers drain into the trail (Kafka mode,
 * docs/SCALE.md). Either way the answer says what was promised.
 */
public interface EventIntake {

  /** What became of a request's events. */
  enum Disposition {
    /** Stored in the trail: readable now. */
    STORED,
    /** Parked in the dead-letter queue while the database is down: stored when it is back. */
    QUEUED,
    /** Acknowledged by the replicated ingest log: a writer stores them, in order per correlation. */
    ACCEPTED
  }

  /**
   * What one request's events became. {@code eventIds} are in request order; {@code created} and
   * {@code duplicates} are known only when {@link Disposition#STORED}.
   */
  record Stored(List<AuditEvent> events, int created, int duplicates, Disposition disposition) {
    public List<UUID> eventIds() {
      return events.stream().map(AuditEvent::eventId).toList();
    }
  }

  /**
   * Takes a validated request's events, all or none.
   *
   * @param ingestedBy the authenticated principal submitting them
   * @param producerIssued the producer's issued mark for the one epoch the events belong to, 0 for none
   */
  Stored take(List<AuditEvent> events, String ingestedBy, long producerIssued);
}
