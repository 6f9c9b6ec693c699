package dev.auditflow.server.shard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.failure.UnavailableException;
import dev.auditflow.server.trail.AnswerBudget;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.CheckpointSigner;
import dev.auditflow.server.trail.ChainHead;
import dev.auditflow.server.trail.ChainStart;
import dev.auditflow.server.trail.Cursor;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.InvalidPurgeRecordException;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ParentLookup;
import dev.auditflow.server.trail.EpochLedger;
import dev.auditflow.server.trail.PurgeReport;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.StoredEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The trail over several PostgreSQL databases (docs/SCALE.md, "Shards"): each shard is a whole
 * trail of its own ({@link dev.auditflow.server.trail.PostgresTrail}, with its chains and its log),
 * and this class places writes and spans reads over them. A correlation lives on one shard ({@link
 * Placement}), so a chain is linked, walked and verified on one database; a read by correlation
 * asks only that shard, any other read asks every shard in parallel and merges.
 *
 * <p>Pages merge by {@code (event_timestamp, event_id)}, the order every shard pages in. A cursor
 * page asks each shard for {@code limit} rows after the one cursor — the position is a point of one
 * total order, so it means the same on every shard and no per-shard positions are needed — and a
 * shard's work per page is bounded by {@code limit}. An offset page asks each shard for {@code
 * offset + limit} rows. Counts and histograms are sums. A shard that does not answer fails the
 * request, naming it ({@link ShardUnavailableException}): never a smaller number that looks whole.
 *
 * <p>Each shard keeps its own verifiable log; {@link #log()} is the root over them ({@link RootLog}).
 * Producers' accounts merge each epoch's parts from every shard; the purge runs on each shard with
 * the catalog's legal holds mirrored to it. Writes from features ({@link #appendWith})
 * go to the home database, where the features' own tables are.
 */
public final class ShardedTrail implements AuditTrail, AutoCloseable {
  /** How PostgreSQL orders {@code uuid}: by its bytes, unsigned. */
  private static final Comparator<UUID> UUID_ORDER = Comparator.comparing(UUID::getMostSignificantBits,
      Long::compareUnsigned).thenComparing(UUID::getLeastSignificantBits, Long::compareUnsigned);
  private static final Comparator<Key> KEY_ORDER =
      Comparator.comparing(Key::timestamp).thenComparing(Key::eventId, UUID_ORDER);

  private final Placement placement;
  private final Map<String, AuditTrail> shards;
  private final long maxAnswerBytes;
  private final ExecutorService fanOut;
  private final RootLog root;

  /** Opens every shard's own trail, home among them, given where their writers look for parents. */
  @FunctionalInterface
  public interface ShardOpener {
    Map<String, AuditTrail> open(ParentLookup parentsElsewhere);
  }

  /**
   * Opens the shards' trails and spans them. Their writers look for a parent they do not store on
   * every shard ({@link #eventDates}): a child's parent may be in a correlation on another shard.
   *
   * @param opener opens each shard with {@code signer}: the root log takes only checkpoints this
   *     server's key signed
   * @param maxAnswerBytes the most one page may carry, as on each shard ({@link AnswerBudget})
   */
  public static ShardedTrail open(Placement placement, ShardOpener opener, long maxAnswerBytes,
      CheckpointSigner signer, MeterRegistry registry, Clock clock) {
    // The shards' writers need the spanning trail, which needs the shards: bound once it exists.
    AtomicReference<ShardedTrail> spanning = new AtomicReference<>();
    Map<String, AuditTrail> shards = opener.open(ids -> spanning.get().eventDates(ids));
    spanning.set(new ShardedTrail(placement, shards, maxAnswerBytes, signer, registry, clock));
    return spanning.get();
  }

  private ShardedTrail(Placement placement, Map<String, AuditTrail> shards, long maxAnswerBytes,
      CheckpointSigner signer, MeterRegistry registry, Clock clock) {
    if (!shards.keySet().equals(placement.shards())) {
      Set<String> missing = new TreeSet<>(placement.shards());
      missing.removeAll(shards.keySet());
      Set<String> unplaced = new TreeSet<>(shards.keySet());
      unplaced.removeAll(placement.shards());
      throw new ConfigurationException("the shards configured do not match the catalog's placement of topic "
          + placement.topic() + (missing.isEmpty() ? "" : ": no database given for " + missing)
          + (unplaced.isEmpty() ? "" : ": no partition is placed on " + unplaced));
    }
    this.placement = placement;
    this.shards = Map.copyOf(shards);
    this.maxAnswerBytes = maxAnswerBytes;
    Map<String, AuditTrail> others = new LinkedHashMap<>(shards);
    others.remove(Placement.HOME);
    this.root = new RootLog(shards.get(Placement.HOME), others, signer, registry, clock);
    this.fanOut = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "auditflow-shard-read");
      thread.setDaemon(true);
      return thread;
    });
  }

  public Placement placement() {
    return placement;
  }

  /** One shard's own trail: where a Kafka writer stores the partitions placed on it. */
  public AuditTrail shard(String name) {
    AuditTrail trail = shards.get(name);
    if (trail == null) {
      throw new IllegalArgumentException("no shard " + name);
    }
    return trail;
  }

  /**
   * The shard the catalog places the partition on: its records and its offset are stored there. A
   * topic whose partition count is not the placement's is refused whole: its producer keys
   * correlations by the new count, and a chain's events would be stored where no reader looks.
   */
  @Override
  public AuditTrail ofPartition(String topic, int partition, int partitions) {
    if (!topic.equals(placement.topic())) {
      throw new ConfigurationException("the catalog places the partitions of topic " + placement.topic() + ", not of "
          + topic + " (docs/SCALE.md, \"Shards\")");
    }
    if (partitions != placement.partitions()) {
      throw new ConfigurationException("topic " + topic + " has " + partitions + " partitions, the catalog places "
          + placement.partitions() + ": its records are not stored until the placement matches the topic (a topic's"
          + " partitions must not change under a placement; docs/SCALE.md, \"Shards\")");
    }
    return shard(placement.shardOfPartition(partition));
  }

  // ---- Appending

  /**
   * Each event on its correlation's shard; the events of one shard in one transaction. A batch
   * that spans shards is not one transaction: when a later shard fails, the answer says that the
   * earlier shards stored their part ({@link ShardUnavailableException}), and the client's retry of
   * the same ids stores the rest.
   */
  @Override
  public Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    Map<String, List<AuditEvent>> byShard = new LinkedHashMap<>();
    for (AuditEvent e : events) {
      byShard.computeIfAbsent(placement.writtenTo(e.correlationId()), s -> new ArrayList<>()).add(e);
    }
    Set<UUID> created = new HashSet<>();
    boolean stored = false;
    for (Map.Entry<String, List<AuditEvent>> part : byShard.entrySet()) {
      try {
        created.addAll(shards.get(part.getKey()).append(part.getValue(), ingestedBy, producerIssued));
        stored = true;
      } catch (UnavailableException e) {
        throw new ShardUnavailableException(part.getKey(), "storing events", e, stored);
      }
    }
    return created;
  }

  /**
   * On the home database, with the features' tables: the server's own records live there. A
   * feature that counts a chain (a legal hold, how many events it keeps) is answered from the
   * chain's shard.
   */
  @Override
  public <T> T appendWith(String what, Collection<Instant> at, FeatureWrite<T> write) {
    return home().appendWith(what, at, (tx, homeAppender) -> write.write(tx, new Appender() {
      /** The server's own chains only: a writer's chain lives on its shard, beyond this transaction. */
      @Override
      public Set<UUID> append(List<AuditEvent> events, String ingestedBy, long producerIssued) throws SQLException {
        for (AuditEvent e : events) {
          if (!placement.shardsOf(e.correlationId()).contains(Placement.HOME)) {
            throw new IllegalStateException("a feature's event in chain " + e.correlationId() + " would be stored on"
                + " home, but the chain lives on shard " + placement.writtenTo(e.correlationId()));
          }
        }
        return homeAppender.append(events, ingestedBy, producerIssued);
      }

      @Override
      public void lockChains(Collection<String> correlationIds) throws SQLException {
        homeAppender.lockChains(correlationIds);
      }

      @Override
      public long countChain(String correlationId) throws SQLException {
        long count = 0;
        for (String shard : placement.shardsOf(correlationId)) {
          count += shard.equals(Placement.HOME) ? homeAppender.countChain(correlationId)
              : shards.get(shard).countChains(List.of(correlationId)).getOrDefault(correlationId, 0L);
        }
        return count;
      }
    }));
  }

  private AuditTrail home() {
    return shards.get(Placement.HOME);
  }

  // ---- Reading by filter

  /** Where a row stands in the trail's one order. */
  private record Key(Instant timestamp, UUID eventId) {
    static Key of(JsonNode event) {
      return new Key(Timestamps.parse(event.get("event_timestamp").asText()),
          UUID.fromString(event.get("event_id").asText()));
    }

    static Key of(StoredEvent event) {
      return new Key(event.event().eventTimestamp(), event.event().eventId());
    }
  }

  /** The shards a filter's events can be on: one or two for a correlation, every shard otherwise. */
  private Set<String> shardsFor(EventFilter filter) {
    String correlation = filter.equals().get("correlation_id");
    return correlation == null ? placement.shards() : placement.shardsOf(correlation);
  }

  @Override
  public EventPage list(EventFilter filter, Page page) {
    Comparator<Key> order = page.descending() ? KEY_ORDER.reversed() : KEY_ORDER;
    Page perShard = page.offset() == null ? page : new Page(page.offset() + page.limit(), page.descending(), null);
    Map<String, EventPage> pages = ask(shardsFor(filter), "querying events", t -> t.list(filter, perShard));
    // A shard whose page ended before the limit (its answer budget) may have rows before any row
    // of another shard past its last one: the merge stops at the earliest such end.
    Key bound = null;
    List<ObjectNode> merged = new ArrayList<>();
    boolean more = false;
    for (Map.Entry<String, EventPage> shardPage : pages.entrySet()) {
      EventPage p = shardPage.getValue();
      for (ObjectNode event : p.events()) {
        event.put("shard", shardPage.getKey());
        merged.add(event);
      }
      if (p.hasMore()) {
        more = true;
        Key end = new Key(p.next().timestamp(), p.next().eventId());
        bound = bound == null || order.compare(end, bound) < 0 ? end : bound;
      }
    }
    merged.sort(Comparator.comparing(Key::of, order));
    int skip = page.offset() == null ? 0 : page.offset();
    List<ObjectNode> rows = new ArrayList<>();
    AnswerBudget budget = new AnswerBudget(maxAnswerBytes);
    int i = skip;
    for (; i < merged.size() && rows.size() < page.limit(); i++) {
      ObjectNode event = merged.get(i);
      if (bound != null && order.compare(Key.of(event), bound) > 0
          || !budget.take(event.path("event_data").toString().length() + AnswerBudget.PER_EVENT)) {
        if (page.offset() != null) {
          throw tooLargeForOffset(rows.size());
        }
        break;
      }
      rows.add(event);
    }
    if (page.offset() != null && rows.size() < page.limit() && bound != null) {
      throw tooLargeForOffset(rows.size()); // a shard's budget ended its page before this one's rows
    }
    more = more || i < merged.size();
    Cursor next = null;
    if (more && !rows.isEmpty()) {
      Key last = Key.of(rows.get(rows.size() - 1));
      next = new Cursor(last.timestamp(), last.eventId(), page.descending());
    }
    return new EventPage(rows, more && next != null, next);
  }

  private static RequestRefusedException tooLargeForOffset(int fit) {
    return RequestRefusedException.validation("the page would carry more than the answer budget",
        List.of(new Violation("limit", "these events are large: at most " + fit
            + " of them fit in one answer; ask for that many, or page with cursors")));
  }

  @Override
  public long count(EventFilter filter) {
    return ask(shardsFor(filter), "counting events", t -> t.count(filter)).values().stream()
        .mapToLong(Long::longValue).sum();
  }

  @Override
  public long foldCounts() {
    return ask(placement.shards(), "folding the totals' counts", AuditTrail::foldCounts).values().stream()
        .mapToLong(Long::longValue).sum();
  }

  /**
   * Over the same span and buckets on every shard, summed. The span is resolved first as one
   * trail resolves it: {@code since} or the oldest event, {@code until} or now (or the newest
   * event, when later).
   */
  @Override
  public Histogram histogram(EventFilter filter, int buckets, Instant now) {
    Set<String> targets = shardsFor(filter);
    Instant since = filter.since();
    Instant until = filter.until();
    if (until == null) {
      until = edge(targets, filter, true).filter(newest -> newest.isAfter(now)).orElse(now);
    }
    if (since == null) {
      since = edge(targets, filter, false).orElse(until);
    }
    EventFilter span = filter.between(since, until);
    Map<String, Histogram> parts = ask(targets, "counting events over time", t -> t.histogram(span, buckets, now));
    Histogram first = parts.values().iterator().next();
    List<Bucket> summed = new ArrayList<>(buckets);
    for (int b = 0; b < buckets; b++) {
      long success = 0;
      long failure = 0;
      long pending = 0;
      for (Histogram h : parts.values()) {
        Bucket bucket = h.buckets().get(b);
        success += bucket.success();
        failure += bucket.failure();
        pending += bucket.pending();
      }
      summed.add(new Bucket(first.buckets().get(b).start(), success, failure, pending));
    }
    return new Histogram(since, until, first.bucketSeconds(), summed);
  }

  /** The newest (or oldest) event's time among {@code targets}. */
  private Optional<Instant> edge(Set<String> targets, EventFilter filter, boolean newest) {
    Page one = new Page(1, newest, null);
    return ask(targets, "counting events over time", t -> t.list(filter, one)).values().stream()
        .flatMap(p -> p.events().stream()).map(e -> Key.of(e).timestamp())
        .reduce((a, b) -> newest == a.isAfter(b) ? a : b);
  }

  @Override
  public Map<UUID, LocalDate> eventDates(Collection<UUID> eventIds) {
    Map<UUID, LocalDate> dates = new HashMap<>();
    ask(placement.shards(), "reading events' dates", t -> t.eventDates(eventIds)).values().forEach(dates::putAll);
    return dates;
  }

  /**
   * Every shard is asked: an id says nothing of its correlation. An event found is the answer even
   * while another shard is down; "not found" is only said when every shard answered. Each shard
   * refuses only its own duplicates, so an id reused in a correlation on another shard is stored
   * there too: such an id is a conflict naming the shards, never one of the events chosen silently
   * (a writer could otherwise shadow another's event by reusing its id).
   */
  @Override
  public Optional<ObjectNode> byId(UUID eventId) {
    Map<String, ShardUnavailableException> down = new ConcurrentHashMap<>();
    Map<String, Optional<ObjectNode>> found = askNamed(placement.shards(), "reading event " + eventId, (name, t) -> {
      try {
        return t.byId(eventId);
      } catch (UnavailableException e) {
        down.put(name, new ShardUnavailableException(name, "reading event " + eventId, e, false));
        return Optional.empty();
      }
    });
    Map<String, ObjectNode> holders = new TreeMap<>();
    found.forEach((shard, event) -> event.ifPresent(e -> holders.put(shard, e)));
    if (holders.size() > 1) {
      throw new ConflictException("event_id " + eventId + " is held by events on shards " + String.join(" and ",
          holders.keySet()) + ": an id reused in correlations on different shards (docs/SCALE.md, \"Shards\")");
    }
    if (!holders.isEmpty()) {
      Map.Entry<String, ObjectNode> holder = holders.entrySet().iterator().next();
      return Optional.of(holder.getValue().put("shard", holder.getKey()));
    }
    down.values().stream().findFirst().ifPresent(e -> {
      throw e;
    });
    return Optional.empty();
  }

  @Override
  public List<String> explain(EventFilter filter, Page page) {
    List<String> plans = new ArrayList<>();
    ask(shardsFor(filter), "explaining a query", t -> t.explain(filter, page)).forEach((shard, plan) -> {
      plans.add("shard " + shard + ":");
      plans.addAll(plan);
    });
    return plans;
  }

  @Override
  public List<StoredEvent> whole(EventFilter filter, int offset, int limit) {
    List<StoredEvent> merged = new ArrayList<>();
    ask(shardsFor(filter), "exporting events", t -> t.whole(filter, 0, offset + limit)).values()
        .forEach(merged::addAll);
    merged.sort(Comparator.comparing(Key::of, KEY_ORDER));
    List<StoredEvent> rows = merged.subList(Math.min(offset, merged.size()), Math.min(offset + limit, merged.size()));
    AnswerBudget budget = new AnswerBudget(maxAnswerBytes);
    for (int i = 0; i < rows.size(); i++) {
      if (!budget.take(rows.get(i).event().eventData().toString().length() + AnswerBudget.PER_EVENT)) {
        throw RequestRefusedException.validation("the export would carry more than " + budget.maxBytes() + " bytes",
            List.of(new Violation("limit", "these events are large: at most " + i + " of them fit in one JSON export;"
                + " ask for that many, or use format=ndjson, which streams an export of any size")));
      }
    }
    return List.copyOf(rows);
  }

  // ---- Reading chains

  /**
   * A snapshot of every shard, each consistent in itself. A chain is on one shard, so what a
   * chain's reader relies on — its head, purge records and rows as of one moment — holds; across
   * shards there is no common moment, and no reader needs one.
   */
  @Override
  public <T> T inSnapshot(String what, SnapshotRead<T> read) {
    return openSnapshots(what, new ArrayList<>(placement.shards()), new LinkedHashMap<>(), read);
  }

  private <T> T openSnapshots(String what, List<String> names, Map<String, Snapshot> open, SnapshotRead<T> read) {
    if (open.size() == names.size()) {
      try {
        return read.read(new Spanning(open));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String name = names.get(open.size());
    try {
      return shards.get(name).inSnapshot(what, snapshot -> {
        open.put(name, snapshot);
        return openSnapshots(what, names, open, read);
      });
    } catch (ShardUnavailableException e) {
      throw e;
    } catch (UnavailableException e) {
      throw new ShardUnavailableException(name, what, e, false);
    }
  }

  /** The shards' snapshots as one: a chain's reads go to its shard. */
  private final class Spanning implements Snapshot {
    private final Map<String, Snapshot> snapshots;

    Spanning(Map<String, Snapshot> snapshots) {
      this.snapshots = snapshots;
    }

    /** The shard whose chain of this name is read: the first of its shards that has it. */
    private Snapshot of(String correlationId) {
      Set<String> candidates = placement.shardsOf(correlationId);
      for (String shard : candidates) {
        if (candidates.size() == 1 || snapshots.get(shard).head(correlationId).isPresent()) {
          return snapshots.get(shard);
        }
      }
      return snapshots.get(candidates.iterator().next());
    }

    @Override
    public Optional<ChainHead> head(String correlationId) {
      return of(correlationId).head(correlationId);
    }

    @Override
    public void walk(String correlationId, Predicate<StoredEvent> next) {
      of(correlationId).walk(correlationId, next);
    }

    @Override
    public long countChain(String correlationId) {
      return of(correlationId).countChain(correlationId);
    }

    @Override
    public ChainStart start(String correlationId) throws InvalidPurgeRecordException {
      return of(correlationId).start(correlationId);
    }

    @Override
    public List<String> chainsWithEventsIn(Instant since, Instant until, int limit) {
      TreeSet<String> chains = new TreeSet<>();
      snapshots.values().forEach(s -> chains.addAll(s.chainsWithEventsIn(since, until, limit)));
      return chains.stream().limit(limit).toList();
    }

    /** The shards' chains merged into one {@code correlation_id} order ({@link ChainOrderMerge}). */
    @Override
    public void inChainOrder(EventFilter filter, int batchSize, Batches sink) throws IOException {
      Set<String> targets = shardsFor(filter);
      if (targets.size() == 1) {
        snapshots.get(targets.iterator().next()).inChainOrder(filter, batchSize, sink);
        return;
      }
      Map<String, Snapshot> sources = new LinkedHashMap<>();
      targets.forEach(shard -> sources.put(shard, snapshots.get(shard)));
      ChainOrderMerge.merge(sources, filter, batchSize, sink, fanOut);
    }

    @Override
    public Set<String> heldAmong(Collection<String> correlationIds) {
      return snapshots.get(Placement.HOME).heldAmong(correlationIds);
    }
  }

  @Override
  public Map<String, Long> countChains(List<String> correlationIds) {
    Map<String, List<String>> byShard = new HashMap<>();
    for (String id : correlationIds) {
      placement.shardsOf(id).forEach(s -> byShard.computeIfAbsent(s, k -> new ArrayList<>()).add(id));
    }
    Map<String, Long> counts = new HashMap<>();
    askNamed(byShard.keySet(), "counting chains' events", (name, t) -> t.countChains(byShard.get(name)))
        .values().forEach(part -> part.forEach((id, n) -> counts.merge(id, n, Long::sum)));
    return counts;
  }

  // ---- Producers' accounts: an epoch's parts on every shard, merged

  /** How {@code producer_epochs} is listed: last seen newest first, then by producer and epoch. */
  private static final Comparator<EpochLedger> NEWEST_FIRST = Comparator.comparing(EpochLedger::lastSeen).reversed()
      .thenComparing(EpochLedger::producerId).thenComparing(EpochLedger::epoch, UUID_ORDER);

  /**
   * The epochs last seen newest across shards: an epoch among the newest {@code limit} of all is
   * among the newest {@code limit} of the shard where it was last seen, so each shard's list is
   * enough to choose them; then every shard's part of each chosen epoch is read and merged.
   */
  @Override
  public List<EpochLedger> epochLedgers(Instant since, String producerId, int limit) {
    Map<EpochLedger.Key, EpochLedger> candidates = merged(ask(placement.shards(), "reading producers' accounts",
        t -> t.epochLedgers(since, producerId, limit)).values());
    List<EpochLedger.Key> chosen = candidates.values().stream().sorted(NEWEST_FIRST).limit(limit)
        .map(EpochLedger::key).toList();
    return epochLedgers(chosen).stream().sorted(NEWEST_FIRST).toList();
  }

  @Override
  public List<EpochLedger> epochLedgers(Collection<EpochLedger.Key> epochs) {
    if (epochs.isEmpty()) {
      return List.of();
    }
    return List.copyOf(merged(ask(placement.shards(), "reading producers' accounts",
        t -> t.epochLedgers(epochs)).values()).values());
  }

  private static Map<EpochLedger.Key, EpochLedger> merged(Collection<List<EpochLedger>> parts) {
    Map<EpochLedger.Key, EpochLedger> whole = new LinkedHashMap<>();
    parts.forEach(part -> part.forEach(ledger -> whole.merge(ledger.key(), ledger, EpochLedger::merge)));
    return whole;
  }

  // ---- Not across shards yet (docs/SCALE.md, "Shards": what is not built)

  /** The root log: the home log, taking each shard's checkpoints as leaves. */
  @Override
  public RootLog log() {
    return root;
  }

  // ---- Retention

  /**
   * Each shard's own purge, one after the other within one event budget, home first: a shard's
   * purge records and its run's record are its own (chain {@code auditflow:purge:<shard>}). Before
   * a shard other than home is purged, its legal holds are made the catalog's ({@link HoldMirror}),
   * the catalog's holds locked until that shard's purge has committed. A shard that fails stops the
   * run, naming it; the shards purged before it stay purged (each recorded its run).
   */
  @Override
  public PurgeReport purge(boolean dryRun, long maxEvents, ServerRecord.Actor by) {
    UUID runId = null;
    long purged = 0;
    long chains = 0;
    long partitions = 0;
    long held = 0;
    boolean complete = true;
    Duration took = Duration.ZERO;
    for (String name : placement.shards()) {
      long budget = maxEvents - purged;
      if (budget < 1) {
        complete = false;
        break;
      }
      PurgeReport part;
      try {
        part = name.equals(Placement.HOME) ? home().purge(dryRun, budget, by) : purgeShard(name, dryRun, budget, by);
      } catch (UnavailableException e) {
        throw new ShardUnavailableException(name, "purging", e, false);
      }
      runId = runId == null ? part.purgeId() : runId;
      purged += part.eventsPurged();
      chains += part.chainsPurged();
      partitions += part.partitionsDropped();
      held += part.heldSkipped();
      complete &= part.complete();
      took = took.plus(part.duration());
    }
    return new PurgeReport(runId, dryRun, purged, chains, partitions, held, complete, took);
  }

  private PurgeReport purgeShard(String name, boolean dryRun, long budget, ServerRecord.Actor by) {
    return home().appendWith("purging shard " + name, List.of(), (catalog, unused) -> {
      List<HoldMirror.Hold> active = HoldMirror.lockActive(catalog);
      shard(name).appendWith("mirroring legal holds to shard " + name, List.of(), (tx, appender) -> {
        HoldMirror.mirror(tx, active);
        return null;
      });
      return shard(name).purge(dryRun, budget, by);
    });
  }

  // ---- Fan-out

  private <R> Map<String, R> ask(Collection<String> targets, String what, Function<AuditTrail, R> read) {
    return askNamed(targets, what, (name, trail) -> read.apply(trail));
  }

  /** A read of one shard, knowing its name. */
  @FunctionalInterface
  private interface ShardRead<R> {
    R read(String name, AuditTrail trail);
  }

  /**
   * {@code read} on each of {@code targets}, in parallel when more than one, by shard name in
   * placement order. The first failure fails the whole: a shard that did not answer is named.
   */
  private <R> Map<String, R> askNamed(Collection<String> targets, String what, ShardRead<R> read) {
    Map<String, R> answers = new LinkedHashMap<>();
    if (targets.size() == 1) {
      String name = targets.iterator().next();
      answers.put(name, readOne(name, what, read));
      return answers;
    }
    Map<String, Future<R>> pending = new LinkedHashMap<>();
    for (String name : targets) {
      pending.put(name, fanOut.submit(() -> readOne(name, what, read)));
    }
    try {
      for (Map.Entry<String, Future<R>> f : pending.entrySet()) {
        answers.put(f.getKey(), f.getValue().get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pending.values().forEach(f -> f.cancel(true));
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      pending.values().forEach(f -> f.cancel(true));
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(what + " failed", e.getCause());
    }
    return answers;
  }

  private <R> R readOne(String name, String what, ShardRead<R> read) {
    try {
      return read.read(name, shards.get(name));
    } catch (UnavailableException e) {
      throw new ShardUnavailableException(name, what, e, false);
    }
  }

  @Override
  public void close() {
    fanOut.shutdownNow();
  }
}
