package dev.auditflow.server.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.db.Transactions;
import dev.auditflow.server.signing.KnownKeys;
import dev.auditflow.verify.ChainHasher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The trail on one PostgreSQL database: every statement on the trail's tables — events and their
 * partitions, chain heads, parents, the log's queue, leaves, nodes and state, purge records — is in
 * this package, behind {@link AuditTrail}.
 */
public final class PostgresTrail implements AuditTrail {
  /**
   * What the trail is told at start.
   *
   * @param replicatedCheckpoints see {@code LogSettings#replicatedCheckpoints}
   * @param shard the shard this database is when the trail spans several (docs/SCALE.md), its log's
   *     metrics tagged with it; null for the one database
   */
  public record Settings(boolean logEnabled, int logMaxLeavesPerRound, long maxAnswerBytes,
      boolean replicatedCheckpoints, String shard) {
    public Settings(boolean logEnabled, int logMaxLeavesPerRound, long maxAnswerBytes) {
      this(logEnabled, logMaxLeavesPerRound, maxAnswerBytes, false, null);
    }

    /** The same settings for shard {@code name}. */
    public Settings ofShard(String name) {
      return new Settings(logEnabled, logMaxLeavesPerRound, maxAnswerBytes, replicatedCheckpoints, name);
    }
  }

  private final Database database;
  private final EventWriter writer;
  private final EventReader reader;
  private final PurgeRecords purgeRecords;
  private final PostgresLog log;
  private final Purger purger;

  private PostgresTrail(Database database, EventWriter writer, EventReader reader, PurgeRecords purgeRecords,
      PostgresLog log, Purger purger) {
    this.database = database;
    this.writer = writer;
    this.reader = reader;
    this.purgeRecords = purgeRecords;
    this.log = log;
    this.purger = purger;
  }

  /**
   * Opens the trail on {@code database}: creates the partitions around today (a failure here is a
   * failed start, not a failed first write) and wires its parts.
   *
   * @param hasher how events are chained (plain SHA-256, or keyed)
   * @param retention how long each event is kept, read when it is written
   * @param keys signs purge records and names the keys trusted to have signed earlier ones
   * @param signer signs the log's checkpoints
   * @param parentsElsewhere where a writer looks for parents this database does not store (other shards)
   */
  public static PostgresTrail open(Database database, ChainHasher hasher, Retention retention, KnownKeys keys,
      CheckpointSigner signer, Settings settings, ParentLookup parentsElsewhere, MeterRegistry registry,
      Clock clock) {
    PartitionManager partitions = new PartitionManager();
    try (Connection c = database.connection()) {
      partitions.ensureAround(c, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the audit_events partitions: " + e.getMessage(), e);
    }
    EventWriter writer = new EventWriter(database, partitions, new ChainLinker(hasher), retention,
        new LogQueue(settings.logEnabled()), parentsElsewhere, clock);
    PurgeRecords purgeRecords = new PurgeRecords(keys);
    Tags tags = settings.shard() == null ? Tags.empty() : Tags.of("shard", settings.shard());
    PostgresLog log = new PostgresLog(database,
        new LogIntegrator(database, signer, settings.logMaxLeavesPerRound(), settings.replicatedCheckpoints(), tags,
            registry, clock));
    return new PostgresTrail(database, writer, new EventReader(database, settings.maxAnswerBytes()), purgeRecords, log,
        new Purger(database, purgeRecords, writer, settings.shard(), registry, clock));
  }

  @Override
  public Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    return writer.insert(events, ingestedBy, producerIssued);
  }

  @Override
  public <T> T appendWith(String what, Collection<Instant> at, FeatureWrite<T> write) {
    try (Connection c = database.connection()) {
      writer.ensurePartitionsFor(c, at);
      return Transactions.inTransaction(c, what, tx -> write.write(tx, new Appender() {
        @Override
        public Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued) throws SQLException {
          return writer.write(tx, events, ingestedBy, producerIssued);
        }

        @Override
        public void lockChains(Collection<String> correlationIds) throws SQLException {
          EventWriter.lockChains(tx, correlationIds);
        }

        @Override
        public long countChain(String correlationId) throws SQLException {
          return Chains.count(tx, correlationId);
        }
      }));
    } catch (SQLException e) {
      throw SqlFailures.translate(what, e);
    }
  }

  @Override
  public EventPage list(EventFilter filter, Page page) {
    return reader.list(filter, page);
  }

  @Override
  public long count(EventFilter filter) {
    return reader.count(filter);
  }

  @Override
  public Map<UUID, LocalDate> eventDates(Collection<UUID> eventIds) {
    try (Connection c = database.readConnection()) {
      return ParentEvents.stored(c, eventIds);
    } catch (SQLException e) {
      throw database.readFailure("reading events' dates", e);
    }
  }

  @Override
  public Histogram histogram(EventFilter filter, int buckets, Instant now) {
    return reader.histogram(filter, buckets, now);
  }

  @Override
  public Optional<ObjectNode> byId(UUID eventId) {
    return reader.byId(eventId);
  }

  @Override
  public List<String> explain(EventFilter filter, Page page) {
    return reader.explain(filter, page);
  }

  @Override
  public List<StoredEvent> whole(EventFilter filter, int offset, int limit) {
    return reader.whole(filter, offset, limit);
  }

  /**
   * One read-only REPEATABLE READ transaction on a read connection: every statement of {@code
   * read} sees the database as of its first.
   */
  @Override
  public <T> T inSnapshot(String what, SnapshotRead<T> read) {
    try (Connection c = database.readConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        return read.read(new SnapshotOn(c, what, purgeRecords, database));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw database.readFailure(what, e);
    }
  }

  /** The snapshot's reads on its connection; a failed statement names what the snapshot was for. */
  private static final class SnapshotOn implements Snapshot {
    private final Connection c;
    private final String what;
    private final PurgeRecords purgeRecords;
    private final Database database;

    SnapshotOn(Connection c, String what, PurgeRecords purgeRecords, Database database) {
      this.c = c;
      this.what = what;
      this.purgeRecords = purgeRecords;
      this.database = database;
    }

    private interface Statement<T> {
      T run() throws SQLException;
    }

    private <T> T sql(Statement<T> statement) {
      try {
        return statement.run();
      } catch (SQLException e) {
        throw database.readFailure(what, e);
      }
    }

    @Override
    public Optional<ChainHead> head(String correlationId) {
      return sql(() -> Chains.head(c, correlationId));
    }

    @Override
    public void walk(String correlationId, Predicate<StoredEvent> next) {
      sql(() -> {
        Chains.walk(c, correlationId, next);
        return null;
      });
    }

    @Override
    public long countChain(String correlationId) {
      return sql(() -> Chains.count(c, correlationId));
    }

    @Override
    public ChainStart start(String correlationId) throws InvalidPurgeRecordException {
      try {
        return purgeRecords.start(c, correlationId);
      } catch (SQLException e) {
        throw database.readFailure(what, e);
      }
    }

    @Override
    public List<String> chainsWithEventsIn(Instant since, Instant until, int limit) {
      return sql(() -> Chains.withEventsIn(c, since, until, limit));
    }

    @Override
    public void inChainOrder(EventFilter filter, int batchSize, Batches sink) throws IOException {
      try {
        EventReader.inChainOrder(c, filter, batchSize, sink);
      } catch (SQLException e) {
        throw database.readFailure(what, e);
      }
    }

    @Override
    public Set<String> heldAmong(Collection<String> correlationIds) {
      return sql(() -> Chains.held(c, correlationIds));
    }
  }

  @Override
  public long foldCounts() {
    try (Connection c = database.connection()) {
      return EventCounts.fold(c);
    } catch (SQLException e) {
      throw SqlFailures.translate("folding the totals' counts", e);
    }
  }

  @Override
  public Map<String, Long> countChains(List<String> correlationIds) {
    try (Connection c = database.readConnection()) {
      return Chains.count(c, correlationIds);
    } catch (SQLException e) {
      throw database.readFailure("counting chains' events", e);
    }
  }

  @Override
  public List<EpochLedger> epochLedgers(Instant since, String producerId, int limit) {
    try (Connection c = database.readConnection()) {
      return ProducerAccounts.list(c, since, producerId, limit);
    } catch (SQLException e) {
      throw database.readFailure("reading producers' accounts", e);
    }
  }

  @Override
  public List<EpochLedger> epochLedgers(Collection<EpochLedger.Key> epochs) {
    try (Connection c = database.readConnection()) {
      return ProducerAccounts.of(c, epochs);
    } catch (SQLException e) {
      throw database.readFailure("reading producer epochs " + epochs, e);
    }
  }

  @Override
  public TransparencyLog log() {
    return log;
  }

  @Override
  public PurgeReport purge(boolean dryRun, long maxEvents, ServerRecord.Actor by) {
    return purger.run(dryRun, maxEvents, by);
  }
}
