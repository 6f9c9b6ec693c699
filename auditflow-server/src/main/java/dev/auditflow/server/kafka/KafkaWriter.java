package dev.auditflow.server.kafka;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.failure.UnavailableException;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.ChainInvariantException;
import dev.auditflow.server.trail.EventIdConflictException;
import dev.auditflow.server.trail.ParentEventNotFoundException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer in Kafka mode (docs/SCALE.md): one member of the writers' consumer group, storing each
 * partition it is assigned into the trail in order, with the chain linking of the direct path —
 * into the partition's shard when the trail spans several ({@link AuditTrail#ofPartition}).
 * A poll's records of one partition are stored in one transaction together with the partition's
 * offset, moved by compare-and-set ({@link PartitionLedger}): what is stored and where to resume
 * commit together, so a restart or a rebalance neither skips nor repeats a record, and a writer
 * that lost its partition cannot commit after the new owner. Kafka's own committed offsets are
 * not used.
 *
 * <p>A record the trail refuses (its parent is not stored, its id names another event, its
 * producer epoch belongs to another principal, or it is not an event) is kept in {@code
 * ingest_rejections} with the reason, in the transaction that moves the offset past it: the ingest
 * node answered 201 before anyone could know, so it is named, never dropped.
 */
public final class KafkaWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaWriter.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration BACK_OFF = Duration.ofMillis(500);
  private static final int MAX_POLL_RECORDS = 2_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaSettings settings;
  private final AuditTrail trail;
  private final Clock clock;
  private final String writerId;
  private final Thread thread;
  /** Each partition's lag gauge, kept for good: a gauge registered again would still read the first value. */
  private final Map<TopicPartition, AtomicLong> lagGauges = new ConcurrentHashMap<>();
  /** The partitions this writer holds now. */
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  /** The partitions it holds and stopped at a hole (records deleted from Kafka before they were stored). */
  private final Set<TopicPartition> holes = ConcurrentHashMap.newKeySet();
  /** The partitions it holds that the catalog places on no shard: stored nowhere rather than on a wrong one. */
  private final Set<TopicPartition> unplaced = ConcurrentHashMap.newKeySet();
  private final MeterRegistry registry;
  private final Counter written;
  private final Counter rejected;
  private final Counter fenced;
  private volatile boolean running = true;

  private KafkaWriter(KafkaSettings settings, AuditTrail trail, MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.trail = trail;
    this.clock = clock;
    this.registry = registry;
    this.writerId = "writer-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.consumer = new KafkaConsumer<>(consumerConfig(settings, writerId));
    this.written = writerEvents(registry, "stored");
    this.rejected = writerEvents(registry, "rejected");
    this.fenced = Counter.builder("auditflow.writer.fenced")
        .description("Slices of a partition not stored because another writer had moved its offset").register(registry);
    Gauge.builder("auditflow.writer.holes", holes, Set::size)
        .description("Partitions stopped because Kafka deleted records before a writer stored them").register(registry);
    Gauge.builder("auditflow.writer.unplaced", unplaced, Set::size)
        .description("Partitions stopped because the catalog places them on no shard").register(registry);
    this.thread = new Thread(this::run, "auditflow-kafka-writer");
  }

  private static Counter writerEvents(MeterRegistry registry, String result) {
    return Counter.builder("auditflow.writer.events").description("Records a Kafka writer stored, or kept as rejected")
        .tag("result", result).register(registry);
  }

  /** Joins the writers' group and starts storing what it is assigned. */
  public static KafkaWriter start(KafkaSettings settings, AuditTrail trail, MeterRegistry registry, Clock clock) {
    KafkaWriter writer = new KafkaWriter(settings, trail, registry, clock);
    writer.thread.start();
    log.info("kafka writer started writer={} topic={} group={}", writer.writerId, settings.topic(), settings.group());
    return writer;
  }

  static Map<String, Object> consumerConfig(KafkaSettings settings, String clientId) {
    Map<String, Object> config = settings.clientConfig(clientId);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    // The offsets live in PostgreSQL with the rows; Kafka's are never committed, never read.
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    // Tuning --kafka-config may change.
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    // A writer that dies hands its partitions on within 10 s (Kafka's default waits 45 s): the lag
    // a dead writer leaves is bounded by this, not by the process's restart.
    config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    return config;
  }

  public String writerId() {
    return writerId;
  }

  private void run() {
    try {
      consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          for (TopicPartition tp : partitions) {
            owned.remove(tp);
            holes.remove(tp);
            unplaced.remove(tp);
            lagGauges.computeIfAbsent(tp, KafkaWriter.this::lagGauge).set(0);
          }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
          onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          for (TopicPartition tp : partitions) {
            resume(tp);
          }
        }
      });
      while (running) {
        try {
          ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
          boolean failed = false;
          for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> slice = records.records(tp);
            if (failed) {
              // The database failed on an earlier partition of this poll: this one is not stored either,
              // so it is read again from its slice's start, as the failed one is.
              consumer.seek(tp, slice.get(0).offset());
            } else if (!store(tp, slice)) {
              failed = true;
            }
          }
          measureLag();
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // E.g. the database was down when partitions were assigned: a partition not sought to its
          // stored offset is fenced at its first slice and sought then. The writer lives on.
          log.error("kafka writer round failed writer={} error=\"{}\"; retrying", writerId, e.toString(), e);
          pause();
        }
      }
    } catch (WakeupException e) {
      // close() asked
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Seeks a partition to the next offset the trail has not stored. */
  private void resume(TopicPartition tp) {
    lagGauges.computeIfAbsent(tp, this::lagGauge);
    owned.add(tp);
    try {
      storeOf(tp);
    } catch (ConfigurationException e) {
      log.error("kafka partition has no shard writer={} partition={}: {}; this partition is paused", writerId, tp,
          e.getMessage());
      consumer.pause(List.of(tp));
      unplaced.add(tp);
      return;
    }
    long next = storedOffset(tp);
    consumer.seek(tp, next);
    log.info("kafka partition assigned writer={} partition={} next_offset={}", writerId, tp, next);
  }

  /** Where the partition's records and offset are stored: the trail, or the partition's shard. */
  private AuditTrail storeOf(TopicPartition tp) {
    return trail.ofPartition(tp.topic(), tp.partition(), consumer.partitionsFor(tp.topic()).size());
  }

  /** The partition's next offset the trail has not stored. */
  private long storedOffset(TopicPartition tp) {
    return storeOf(tp).appendWith("reading the stored offset of " + tp, clock.instant(),
        (tx, appender) -> PartitionLedger.next(tx, tp.topic(), tp.partition()));
  }

  /** A record the trail refuses, and why: kept in {@code ingest_rejections}. */
  private static final class RecordRefused extends Exception {
    final String reason;
    final UUID eventId;
    final String ingestedBy;

    RecordRefused(String reason, String detail, UUID eventId, String ingestedBy) {
      super(detail, null, false, false);
      this.reason = reason;
      this.eventId = eventId;
      this.ingestedBy = ingestedBy;
    }
  }

  /**
   * Stores one poll's records of a partition; false when the database failed (the partition is
   * then sought back to the slice's start, and the caller polls again after a pause).
   */
  private boolean store(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
    long first = records.get(0).offset();
    try {
      try {
        if (!writeSlice(tp, records)) {
          fencedOff(tp, first);
        }
      } catch (RecordRefused refused) {
        storeOneByOne(tp, records);
      }
      return true;
    } catch (UnavailableException e) {
      log.warn("kafka writer waits for the database writer={} partition={} error=\"{}\"", writerId, tp, e.getMessage());
    } catch (RuntimeException e) {
      log.error("kafka writer could not store writer={} partition={} offset={} error=\"{}\"; retrying", writerId, tp,
          first, e.toString(), e);
    }
    consumer.seek(tp, first);
    pause();
    return false;
  }

  /**
   * The slice in one transaction with the partition's offset: true stored, false fenced (another
   * writer moved the offset; nothing stored).
   *
   * @throws RecordRefused when the trail refuses one of its records: nothing is stored
   */
  private boolean writeSlice(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) throws RecordRefused {
    List<IngestRecords.Submitted> submitted = new ArrayList<>(records.size());
    List<Instant> times = new ArrayList<>(records.size());
    for (ConsumerRecord<String, byte[]> r : records) {
      try {
        IngestRecords.Submitted s = IngestRecords.read(r);
        submitted.add(s);
        times.add(s.event().eventTimestamp());
      } catch (IllegalArgumentException e) {
        throw new RecordRefused("not_an_event", e.getMessage(), null, null);
      }
    }
    long first = records.get(0).offset();
    long next = records.get(records.size() - 1).offset() + 1;
    IngestRecords.Submitted only = submitted.size() == 1 ? submitted.get(0) : null;
    boolean stored;
    try {
      stored = storeOf(tp).appendWith("storing " + tp + " offsets " + first + ".." + (next - 1), times, (tx, appender) -> {
        if (!PartitionLedger.advance(tx, tp.topic(), tp.partition(), first, next, writerId)) {
          return false;
        }
        // Consecutive records of one request (one submitter, one issued mark) are stored as it was sent.
        int from = 0;
        for (int i = 1; i <= submitted.size(); i++) {
          if (i == submitted.size() || !sameRequest(submitted.get(from), submitted.get(i))) {
            List<AuditEvent> run = submitted.subList(from, i).stream().map(IngestRecords.Submitted::event).toList();
            appender.append(run, submitted.get(from).ingestedBy(), submitted.get(from).producerIssued());
            from = i;
          }
        }
        return true;
      });
    } catch (ParentEventNotFoundException e) {
      throw refused(only, "parent_not_found", "no stored event has its parent_event_id " + e.parentEventId());
    } catch (EventIdConflictException e) {
      throw refused(only, "event_id_conflict", "its event_id " + e.eventId() + " names another event");
    } catch (ConflictException e) {
      throw refused(only, "conflict", e.getMessage());
    } catch (ChainInvariantException e) {
      throw refused(only, "chain_invariant", e.getMessage());
    }
    if (stored) {
      written.increment(records.size());
    }
    return stored;
  }

  private static RecordRefused refused(IngestRecords.Submitted only, String reason, String detail) {
    return new RecordRefused(reason, detail, only == null ? null : only.event().eventId(),
        only == null ? null : only.ingestedBy());
  }

  private static boolean sameRequest(IngestRecords.Submitted a, IngestRecords.Submitted b) {
    return Objects.equals(a.ingestedBy(), b.ingestedBy()) && a.producerIssued() == b.producerIssued();
  }

  /** Each record of a slice in a transaction of its own; a refused one is kept with its reason. */
  private void storeOneByOne(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      boolean stored;
      try {
        stored = writeSlice(tp, List.of(r));
      } catch (RecordRefused refused) {
        stored = reject(tp, r, refused);
      }
      if (!stored) {
        fencedOff(tp, r.offset());
        return;
      }
    }
  }

  /** Moves the offset past a refused record and keeps it with its reason; false when fenced. */
  private boolean reject(TopicPartition tp, ConsumerRecord<String, byte[]> r, RecordRefused refused) {
    boolean kept = storeOf(tp).appendWith("rejecting " + tp + " offset " + r.offset(), clock.instant(), (tx, appender) -> {
      if (!PartitionLedger.advance(tx, tp.topic(), tp.partition(), r.offset(), r.offset() + 1, writerId)) {
        return false;
      }
      PartitionLedger.reject(tx, tp.topic(), tp.partition(), r.offset(), refused.eventId, refused.ingestedBy,
          refused.reason, refused.getMessage(), r.value(), clock.instant());
      return true;
    });
    if (kept) {
      rejected.increment();
      log.warn("kafka record rejected writer={} partition={} offset={} event_id={} reason={} detail=\"{}\"", writerId,
          tp, r.offset(), refused.eventId, refused.reason, refused.getMessage());
    }
    return kept;
  }

  /**
   * The stored offset is not where this slice starts — another writer moved it, or this one read
   * past it: continue from where the trail stands, unless Kafka no longer has the records from
   * there (a hole: stop, never skip).
   */
  private void fencedOff(TopicPartition tp, long first) {
    fenced.increment();
    long stored = storedOffset(tp);
    long logStart = consumer.beginningOffsets(List.of(tp)).getOrDefault(tp, 0L);
    if (stored < logStart) {
      // Records stored..logStart-1 are no longer in Kafka (its retention ran first): never skip them silently.
      log.error("kafka partition has a hole writer={} partition={} stored_next_offset={} first_available={}: records"
          + " were deleted from Kafka before a writer stored them; this partition is paused", writerId, tp, stored,
          logStart);
      consumer.pause(List.of(tp));
      holes.add(tp);
      return;
    }
    log.info("kafka partition fenced writer={} partition={} slice_started_at={} resuming_at={}", writerId, tp, first,
        stored);
    consumer.seek(tp, stored);
  }

  private void measureLag() {
    for (TopicPartition tp : owned) {
      consumer.currentLag(tp).ifPresent(l -> lagGauges.get(tp).set(l));
    }
  }

  private AtomicLong lagGauge(TopicPartition tp) {
    AtomicLong value = new AtomicLong();
    Gauge.builder("auditflow.writer.lag", value, AtomicLong::get).description("Records of a partition not yet stored")
        .tag("topic", tp.topic()).tag("partition", Integer.toString(tp.partition())).register(registry);
    return value;
  }

  /** The partitions this writer stores now, with their lag in records. */
  public Map<TopicPartition, Long> lag() {
    Map<TopicPartition, Long> now = new HashMap<>();
    owned.forEach(tp -> now.put(tp, lagGauges.get(tp).get()));
    return now;
  }

  /** The partitions this writer holds that the catalog places on no shard (docs/SCALE.md, "Shards"). */
  public Set<TopicPartition> unplaced() {
    return Set.copyOf(unplaced);
  }

  /** The partitions this writer holds and stopped at a hole: an operator's decision is needed (docs/SCALE.md). */
  public Set<TopicPartition> holes() {
    return Set.copyOf(holes);
  }

  private void pause() {
    try {
      Thread.sleep(BACK_OFF.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("kafka writer stopped writer={}", writerId);
  }
}
