package dev.auditflow.server.trail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.failure.ConflictException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The audit trail's storage contract: everything the features do with stored events, chains, the
 * verifiable log and retention goes through here, and nothing else touches those tables. {@link
 * PostgresTrail} implements it on one PostgreSQL database; a sharded or log-fed trail is a second
 * implementation of this interface, not a change to the features.
 *
 * <p>Every reader takes the one filter type, {@link EventFilter}: a filter added there reaches
 * queries, counts, histograms, exports and the console alike.
 *
 * <p>Failures are the storage layer's domain exceptions: {@link
 * dev.auditflow.server.db.DatabaseUnavailableException} (and its kin in {@code db}) when the store
 * cannot answer now, {@link EventIdConflictException}, {@link ParentEventNotFoundException} and
 * {@link ChainInvariantException} for what a write may not do.
 */
public interface AuditTrail {

  // ---- Appending

  /**
   * Appends events in a transaction of their own, each linked into its correlation's hash chain
   * and queued for the log; idempotent by event id.
   *
   * @return the ids that were new; the others were already stored
   */
  default Set<UUID> append(List<AuditEvent> events, String ingestedBy) {
    return append(events, ingestedBy, 0);
  }

  /**
   * {@link #append(List, String)} for a numbering producer's batch: {@code producerIssued} is the
   * highest number the producer's epoch had given when it sent the batch (docs/COMPLETENESS.md), 0
   * for none; the events and declarations are all of that one epoch. It is kept with the epoch's
   * accounts in the same transaction.
   */
  Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued);

  /**
   * Runs a feature's own writes and the events that record them in one transaction: both commit
   * or neither does (a workflow and the event of its creation). The feature's tables live in the
   * trail's database for that reason; an implementation that stores events elsewhere must still
   * give this guarantee.
   *
   * @param at the time the events will carry, so their month's partition exists before the transaction
   */
  default <T> T appendWith(String what, Instant at, FeatureWrite<T> write) {
    return appendWith(what, List.of(at), write);
  }

  /**
   * {@link #appendWith(String, Instant, FeatureWrite)} for events stamped at several times (a Kafka
   * writer's slice of a partition): the month partition of each exists before the transaction.
   */
  <T> T appendWith(String what, Collection<Instant> at, FeatureWrite<T> write);

  /**
   * The trail that stores the records of one partition of a Kafka topic (docs/SCALE.md): this
   * one, or — when the trail spans shards — the shard the catalog places the partition on. A Kafka
   * writer stores a partition's records and its offset there, in one transaction.
   *
   * @param partitions how many partitions the topic has now
   * @throws dev.auditflow.server.failure.ConfigurationException when the catalog places no shard for
   *     it, or places another number of partitions (the producer's keys then fall elsewhere)
   */
  default AuditTrail ofPartition(String topic, int partition, int partitions) {
    return this;
  }

  /** A feature's part of an {@link #appendWith} transaction. */
  @FunctionalInterface
  interface FeatureWrite<T> {
    /** @param tx the feature's own tables, in the shared transaction */
    T write(Connection tx, Appender trail) throws SQLException;
  }

  /** What a feature may do to the trail inside its transaction. */
  interface Appender {
    /** Links and stores events, committing with the feature's writes. */
    default Set<UUID> append(List<AuditEvent> events, String ingestedBy) throws SQLException {
      return append(events, ingestedBy, 0);
    }

    /** Links and stores a numbering producer's events with its issued mark ({@link AuditTrail#append(List, String, long)}). */
    Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued) throws SQLException;

    /**
     * Takes the locks of these chains now, in the one order every writer takes chain locks in.
     * A feature appending for several ingesters in one transaction calls it first with all of
     * their chains: each {@link #append} call locks only its own, so chains taken call by call
     * would be locked in call order, and two transactions holding the same chains in opposite
     * orders would deadlock. The locks are the transaction's; taking one again is free.
     */
    void lockChains(Collection<String> correlationIds) throws SQLException;

    /** How many events of a correlation are stored, as this transaction sees it. */
    long countChain(String correlationId) throws SQLException;
  }

  // ---- Reading by filter

  /** A page of events and where the next one starts. */
  record EventPage(List<ObjectNode> events, boolean hasMore, Cursor next) {}

  /** Events per bucket of time and per outcome: a histogram of {@code [since, until]}. */
  record Histogram(Instant since, Instant until, long bucketSeconds, List<Bucket> buckets) {}

  /** One bucket: from {@code start}, {@code bucketSeconds} long. */
  record Bucket(Instant start, long success, long failure, long pending) {}

  /**
   * One page in keyset order {@code (event_timestamp, event_id)}, at most the answer budget: a
   * cursor page that would be larger ends early, its cursor where it ended; an offset page is
   * refused naming {@code limit} and how many events fit.
   */
  EventPage list(EventFilter filter, Page page);

  long count(EventFilter filter);

  /**
   * Folds the counts that some totals are read from ({@code audit_event_counts}) into one row per
   * value, on every database the trail spans; the rows folded. Totals are exact whether or not it
   * runs: it only keeps them cheap to read.
   */
  long foldCounts();

  /** The filter's events over time in {@code buckets} equal spans, counted by outcome. */
  Histogram histogram(EventFilter filter, int buckets, Instant now);

  Optional<ObjectNode> byId(UUID eventId);

  /**
   * The dates of those of {@code eventIds} the trail stores (or stored: an id outlives its event's
   * purge), by id — what a child's {@code parent_event_date} is taken from.
   */
  Map<UUID, LocalDate> eventDates(Collection<UUID> eventIds);

  /** The plan of a {@link #list} query, for tests that assert index use. */
  List<String> explain(EventFilter filter, Page page);

  /**
   * The events {@code filter} covers, by time, whole: refused, saying how many would fit, when they
   * would not fit the answer budget (a signed export cannot be cut).
   */
  List<StoredEvent> whole(EventFilter filter, int offset, int limit);

  // ---- Reading chains as of one moment

  /**
   * Runs {@code read} against one consistent snapshot of the trail: a chain's head, purge records
   * and rows are seen as of one moment, so a write or purge committing meanwhile cannot look like
   * tampering.
   */
  <T> T inSnapshot(String what, SnapshotRead<T> read);

  /** A read against one snapshot; an {@link IOException} of its own leaves as an {@link java.io.UncheckedIOException}. */
  @FunctionalInterface
  interface SnapshotRead<T> {
    T read(Snapshot snapshot) throws IOException;
  }

  /** The chains as one snapshot sees them. */
  interface Snapshot {
    Optional<ChainHead> head(String correlationId);

    /** Hands the chain's rows to {@code next} in position order until it returns false. */
    void walk(String correlationId, Predicate<StoredEvent> next);

    long countChain(String correlationId);

    /** Where the chain starts after retention: its verified purge records' end. */
    ChainStart start(String correlationId) throws InvalidPurgeRecordException;

    /** The correlations with an event in {@code [since, until)}, at most {@code limit}. */
    List<String> chainsWithEventsIn(Instant since, Instant until, int limit);

    /**
     * The events {@code filter} covers in chain order — by correlation, then position — {@code
     * batchSize} at a time: an export of any size streams in bounded memory.
     */
    void inChainOrder(EventFilter filter, int batchSize, Batches sink) throws IOException;

    /** Which of {@code correlationIds} are under an active legal hold. */
    Set<String> heldAmong(Collection<String> correlationIds);
  }

  /** Where {@link Snapshot#inChainOrder} hands its batches. */
  @FunctionalInterface
  interface Batches {
    void accept(List<StoredEvent> batch) throws IOException;
  }

  /** How many events each correlation holds now (0 for one with none). */
  Map<String, Long> countChains(List<String> correlationIds);

  // ---- Producers' accounts (docs/COMPLETENESS.md)

  /**
   * Producer epochs last seen at or after {@code since} (all when null), of one producer (all when
   * null), newest first, at most {@code limit}, each with its accounts.
   */
  default List<ProducerEpochAccount> producerEpochs(Instant since, String producerId, int limit) {
    return epochLedgers(since, producerId, limit).stream().map(EpochLedger::account).toList();
  }

  default Optional<ProducerEpochAccount> producerEpoch(String producerId, UUID epoch) {
    return epochLedgers(List.of(new EpochLedger.Key(producerId, epoch))).stream().findFirst()
        .map(EpochLedger::account);
  }

  /** The ledgers {@link #producerEpochs} sweeps: the epochs so selected, newest first, with their ranges. */
  List<EpochLedger> epochLedgers(Instant since, String producerId, int limit);

  /** The ledgers of these epochs, those the trail has. */
  List<EpochLedger> epochLedgers(Collection<EpochLedger.Key> epochs);

  // ---- The verifiable log and retention

  TransparencyLog log();

  /**
   * One retention run: removes expired prefixes of chains under no legal hold, each removal
   * recorded and signed, at most {@code maxEvents} events.
   *
   * @param by who asked: a caller, or {@link ServerRecord.Actor#SERVER} for the schedule
   * @throws ConflictException when a purge is running already (here or on another instance)
   */
  PurgeReport purge(boolean dryRun, long maxEvents, ServerRecord.Actor by);
}
