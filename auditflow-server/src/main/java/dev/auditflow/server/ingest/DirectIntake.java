package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.db.DatabaseUnavailableException;
import dev.auditflow.server.db.OutcomeUnknownException;
import dev.auditflow.server.dlq.DeadLetterQueue;
import dev.auditflow.server.dlq.DeadLetterQueueUnavailableException;
import dev.auditflow.server.trail.AuditTrail;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Stores a request's events in the trail in one transaction; while the database is down, parks
 * them in the dead-letter queue when there is one.
 */
public final class DirectIntake implements EventIntake {
  /**
   * After the database fails for an infrastructure reason, requests skip it for this long and go
   * straight to the DLQ (or a 503): otherwise each would first wait out the connection timeout
   * against a database that is known to be down. The first request after the pause probes it.
   */
  static final long DATABASE_PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final AuditTrail trail;
  private final DeadLetterQueue dlq;
  private final Counter queued;
  private final Counter created;
  private final Counter duplicates;
  private final Timer writeDuration;
  private volatile long skipDatabaseUntilNanos = System.nanoTime();

  /** @param dlq the dead-letter queue, or null for none */
  public DirectIntake(AuditTrail trail, DeadLetterQueue dlq, MeterRegistry registry) {
    this.trail = trail;
    this.dlq = dlq;
    this.queued = IngestService.events(registry, "queued");
    this.created = IngestService.events(registry, "created");
    this.duplicates = IngestService.events(registry, "duplicate");
    this.writeDuration = Timer.builder("auditflow.server.write.duration")
        .description("Database write per ingest request").publishPercentileHistogram().register(registry);
  }

  @Override
  public Stored take(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    Set<UUID> createdIds;
    try {
      createdIds = insert(events, ingestedBy, producerIssued);
    } catch (DatabaseUnavailableException | OutcomeUnknownException e) {
      if (dlq == null) {
        throw e;
      }
      // Queueing is safe even when the commit's outcome is unknown: replay is idempotent.
      queue(events, ingestedBy, producerIssued, e);
      queued.increment(events.size());
      return new Stored(events, 0, 0, Disposition.QUEUED);
    }
    int dup = events.size() - createdIds.size();
    created.increment(createdIds.size());
    duplicates.increment(dup);
    return new Stored(events, createdIds.size(), dup, Disposition.STORED);
  }

  private Set<UUID> insert(List<AuditEvent> events, String ingestedBy, long issued) {
    if (System.nanoTime() - skipDatabaseUntilNanos < 0) {
      throw new DatabaseUnavailableException("the database failed moments ago; not waiting for it again yet", null);
    }
    try {
      return writeDuration.record(() -> trail.append(events, ingestedBy, issued));
    } catch (DatabaseUnavailableException | OutcomeUnknownException e) {
      skipDatabaseUntilNanos = System.nanoTime() + DATABASE_PROBE_INTERVAL_NANOS;
      throw e;
    }
  }

  /**
   * Appends to the DLQ. If Redis cannot take the events either, the answer must still be true:
   * "nothing was written" only when neither the database nor Redis may have written anything.
   */
  private void queue(List<AuditEvent> events, String ingestedBy, long issued, RuntimeException databaseFailure) {
    try {
      dlq.append(events, ingestedBy, issued);
    } catch (DeadLetterQueueUnavailableException redisDown) {
      databaseFailure.addSuppressed(redisDown);
      throw databaseFailure;
    } catch (OutcomeUnknownException redisUnanswered) {
      redisUnanswered.addSuppressed(databaseFailure);
      throw redisUnanswered;
    }
  }
}
