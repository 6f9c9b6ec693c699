package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.failure.ConflictException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes events whose retention has passed and whose correlation is under no legal hold,
 * keeping every chain verifiable: a chain only ever loses a <em>prefix</em> (positions 1..k, all
 * expired), and each removal is recorded, signed, in the same transaction ({@link
 * PurgeRecords}). An expired event behind a younger one in its chain waits until that one expires.
 *
 * <p>Two ways, in this order: a past month whose events are all purgeable, chain by chain in
 * order, is dropped as a whole partition (one short exclusive lock); then chains are purged row by
 * row in small transactions (writers of other chains never wait; a chain's writers never touch
 * its prefix). A run is bounded by an event budget; what is left waits for the next run, which
 * resumes from the database's state. One purger runs at a time across all instances (a
 * PostgreSQL advisory lock); a second gets {@link ConflictException}.
 *
 * <p>A dry run does all of it in transactions that are rolled back, so its counts are exact.
 */
final class Purger {
  private static final Logger log = LoggerFactory.getLogger(Purger.class);

  private final Database database;
  private final PurgeRecords records;
  private final EventWriter events;
  private final Clock clock;
  private final Counter purged;
  private final Counter dropped;
  private final AtomicLong heldSkipped = new AtomicLong();
  private final Timer duration;
  /** The chain of this store's purge runs: {@code auditflow:purge}, or {@code auditflow:purge:<shard>} on a shard. */
  private final String chain;

  /**
   * @param shard the shard this database is when the trail spans several, or null: its meters are
   *     tagged with it, and its runs recorded in a chain of its own
   */
  Purger(Database database, PurgeRecords records, EventWriter events, String shard, MeterRegistry registry,
      Clock clock) {
    Tags tags = shard == null ? Tags.empty() : Tags.of("shard", shard);
    this.chain = ServerVocabulary.purgeChainOf(shard);
    this.database = database;
    this.records = records;
    this.events = events;
    this.clock = clock;
    this.purged = Counter.builder("auditflow.purge.events").description("Events removed by the retention purge")
        .baseUnit("events").tags(tags).register(registry);
    this.dropped = Counter.builder("auditflow.purge.partitions.dropped")
        .description("Month partitions the purge dropped whole").tags(tags).register(registry);
    registry.gauge("auditflow.purge.held.skipped", tags, heldSkipped, AtomicLong::get);
    this.duration = Timer.builder("auditflow.purge.duration").description("Purge runs").tags(tags).register(registry);
  }

  /**
   * One run.
   *
   * @param maxEvents the event budget of this run
   * @param by who asked: a caller, or {@link ServerRecord.Actor#SERVER} for the schedule
   * @throws ConflictException when a purge is running already (here or on another instance)
   */
  PurgeReport run(boolean dryRun, long maxEvents, ServerRecord.Actor by) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("the event budget must be >= 1, was " + maxEvents);
    }
    long started = System.nanoTime();
    UUID purgeId = UuidV7.generate();
    Instant now = Timestamps.normalize(clock.instant());
    try (Connection lock = database.connection()) {
      if (!PurgeStore.tryLock(lock)) {
        throw new ConflictException("a purge is already running");
      }
      try {
        PurgeReport report;
        long held;
        try (Connection c = database.connection()) {
          held = PurgeStore.heldExpired(c, today(now));
        }
        try (Run run = new Run(purgeId, now, dryRun, maxEvents)) {
          run.partitions();
          run.chains();
          report = new PurgeReport(purgeId, dryRun, run.events, run.chains, run.partitions, held,
              run.exhausted, Duration.ofNanos(System.nanoTime() - started));
        }
        heldSkipped.set(held);
        if (!dryRun) {
          purged.increment(report.eventsPurged());
          dropped.increment(report.partitionsDropped());
          duration.record(report.duration());
          if (report.eventsPurged() > 0) {
            record(report, now, by);
          }
        }
        log.info("purge {} purge_id={} events={} chains={} partitions_dropped={} held_skipped={} complete={}"
                + " duration_ms={}", dryRun ? "dry run" : "done", purgeId, report.eventsPurged(), report.chainsPurged(),
            report.partitionsDropped(), held, report.complete(), report.duration().toMillis());
        return report;
      } finally {
        PurgeStore.unlock(lock);
      }
    } catch (SQLException e) {
      throw SqlFailures.translate("purging expired events", e);
    }
  }

  private interface Step<T> {
    T run(Connection c) throws SQLException;
  }

  /** One run's progress. */
  private final class Run implements AutoCloseable {
    final UUID purgeId;
    final Instant now;
    final boolean dryRun;
    final long budget;
    /** A dry run's one transaction, rolled back at the end; null for a real run. */
    final Connection dry;
    long events;
    long chains;
    long partitions;
    /** True once no chain with purgeable events was left. */
    boolean exhausted;

    Run(UUID purgeId, Instant now, boolean dryRun, long budget) throws SQLException {
      this.purgeId = purgeId;
      this.now = now;
      this.dryRun = dryRun;
      this.budget = budget;
      this.dry = dryRun ? database.connection() : null;
      if (dry != null) {
        dry.setAutoCommit(false);
        PurgeStore.setLockTimeout(dry);
      }
    }

    /**
     * Runs {@code step} in a transaction of its own (a real run), or in a savepoint of the dry
     * run's single transaction — so that a dry run's later steps see what its earlier ones would
     * have done, and its counts are exactly a real run's. A failed step is undone and rethrown.
     */
    <T> T step(Step<T> step) throws SQLException {
      if (dry != null) {
        Savepoint savepoint = dry.setSavepoint();
        try {
          T result = step.run(dry);
          dry.releaseSavepoint(savepoint);
          return result;
        } catch (SQLException | RuntimeException e) {
          dry.rollback(savepoint);
          throw e;
        }
      }
      try (Connection c = database.connection()) {
        c.setAutoCommit(false);
        try {
          PurgeStore.setLockTimeout(c);
          T result = step.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    }

    /** Past months, oldest first: drop each that is purgeable whole. */
    void partitions() throws SQLException {
      List<String> past;
      try (Connection c = database.connection()) {
        past = PurgeStore.pastPartitions(c, today(now));
      }
      for (String partition : past) {
        if (events >= budget) {
          return;
        }
        try (Connection c = database.connection()) {
          if (PurgeStore.isEmpty(c, partition)) {
            continue; // nothing to gain; it may still receive late events
          }
        }
        try {
          long[] dropped = step(c -> {
            long chainsInPartition = recordPartitionRanges(c, partition);
            // A dry run does not take the exclusive lock a drop needs: it counts what would go.
            return new long[] {chainsInPartition, dryRun ? PurgeStore.countRows(c, partition) : PurgeStore.dropPartition(c, partition)};
          });
          chains += dropped[0];
          events += dropped[1];
          partitions++;
        } catch (SQLException e) {
          // Not purgeable whole (a young or held event, a chain whose older events are elsewhere),
          // or its lock not granted in time: the row-by-row pass deals with what can go.
          log.debug("partition not dropped partition={} reason=\"{}\"", partition, e.getMessage());
        }
      }
    }

    /** Chains with expired events, in batches, until the budget is spent. */
    void chains() throws SQLException {
      String after = "";
      while (events < budget) {
        List<String> batch;
        try (Connection c = database.connection()) {
          batch = PurgeStore.candidates(c, after, today(now));
        }
        if (batch.isEmpty()) {
          exhausted = true;
          return;
        }
        after = batch.get(batch.size() - 1);
        long before = events;
        step(c -> {
          PurgeStore.lockHolds(c);
          for (String chain : batch) {
            if (events >= budget) {
              break;
            }
            purgeChain(c, chain);
          }
          return null;
        });
        log.debug("purge batch chains={} events={}", batch.size(), events - before);
      }
    }

    @Override
    public void close() throws SQLException {
      if (dry != null) {
        try {
          dry.rollback();
          dry.setAutoCommit(true);
        } finally {
          dry.close();
        }
      }
    }

    /** Purges the chain's expired prefix beyond what was purged before, within the budget. */
    private void purgeChain(Connection c, String chain) throws SQLException {
      long through = PurgeRecords.purgedThrough(c, chain);
      long end = Math.min(PurgeStore.purgeableThrough(c, chain, today(now)), through + (budget - events));
      if (end <= through) {
        return;
      }
      String[] last = PurgeStore.hashAt(c, chain, end);
      long present = PurgeStore.countBetween(c, chain, through + 1, end);
      if (last == null || present != end - through) {
        // Not our kind of gap: leave the chain for verification to report, do not paper over it.
        log.warn("chain not purged: positions {}..{} are not all present (found {}) correlation_id={}",
            through + 1, end, present, chain);
        return;
      }
      records.write(c, chain, through + 1, end, last[0], last[1], purgeId, now);
      long deleted = PurgeStore.purgeEvents(c, chain, through + 1, end);
      if (deleted != end - through) {
        throw new IllegalStateException("purge of " + chain + " deleted " + deleted + " rows, expected " + (end - through));
      }
      events += deleted;
      chains++;
    }

    private long recordPartitionRanges(Connection c, String partition) throws SQLException {
      long[] recorded = {0};
      PurgeStore.partitionRanges(c, partition, range -> {
        records.write(c, range.correlationId(), range.from(), range.through(), range.lastHash(), range.lastAlgorithm(),
            purgeId, now);
        recorded[0]++;
      });
      return recorded[0];
    }
  }








  private static LocalDate today(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC);
  }






  /** The purge's own audit event: chain {@code auditflow:purge} (a shard's: {@code auditflow:purge:<shard>}). */
  private void record(PurgeReport report, Instant now, ServerRecord.Actor by) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("purge_id", report.purgeId().toString());
    data.put("events_purged", report.eventsPurged());
    data.put("chains_purged", report.chainsPurged());
    data.put("partitions_dropped", report.partitionsDropped());
    data.put("held_skipped", report.heldSkipped());
    data.put("complete", report.complete());
    data.put("duration_ms", report.duration().toMillis());
    AuditEvent event = new ServerRecord(ServerVocabulary.PURGED, "purge", chain, by,
        new ServerRecord.Resource("audit_events", "retention"), data).toEvent(now);
    events.insert(List.of(event), by.id(), 0);
  }




}
