package dev.auditflow.server.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.ShardedStores;
import dev.auditflow.server.failure.ConflictException;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.Cursor;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ParentEventNotFoundException;
import dev.auditflow.server.trail.ProducerEpochAccount;
import dev.auditflow.server.trail.StoredEvent;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trail over two shards and home, each its own PostgreSQL database, answers every read exactly
 * as one database holding the same events does: the same events, in the same order, page by page.
 * The oracle is a fourth database written the same events in one trail — PostgreSQL's own ORDER BY,
 * not an order computed here.
 */
class ShardedTrailTest {
  @RegisterExtension
  static final ServerFixture whole = ServerFixture.perClass();

  private static final int EVENTS = 2_345;
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(2, ChronoUnit.HOURS);

  private static ShardedStores stores;
  private static ServerFixture fx;
  private static ShardedTrail sharded;
  private static final List<AuditEvent> written = new ArrayList<>();

  @BeforeAll
  static void placeAndWrite() {
    stores = ShardedStores.create(12, "a", "b");
    fx = ServerFixture.onDatabase(stores.catalog(), b -> b.shards(stores.shards()));
    sharded = (ShardedTrail) fx.server().trail();
    // 2 345 events in 60 correlations over two hours; many share a timestamp (to the second), so
    // the order within one instant is the event ids', which PostgreSQL compares as unsigned bytes.
    Random random = new Random(28);
    List<String> correlations = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      correlations.add("shard-test-" + i);
    }
    for (int i = 0; i < EVENTS; i++) {
      written.add(AuditEvent.builder().eventId(UUID.randomUUID()).eventTimestamp(T0.plusSeconds(random.nextInt(7_200)))
          .eventType("shard.t" + (i % 3)).eventCategory("sharding").eventAction("write")
          .eventOutcome(i % 5 == 0 ? EventOutcome.FAILURE : EventOutcome.SUCCESS)
          .correlationId(correlations.get(random.nextInt(correlations.size()))).eventData(Map.of("i", i)).build());
    }
    for (int from = 0; from < EVENTS; from += 100) {
      List<AuditEvent> batch = written.subList(from, Math.min(EVENTS, from + 100));
      sharded.append(batch, "sharding-test");
      whole.server().trail().append(batch, "sharding-test");
    }
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
    if (stores != null) {
      stores.close();
    }
  }

  private static final EventFilter ALL = new EventFilter(Map.of("event_category", "sharding"), null, null);

  @Test
  void eachCorrelationLivesOnTheShardItsPartitionIsPlacedOnAndBothShardsHoldSome() {
    Placement placement = sharded.placement();
    Map<String, Long> expected = written.stream().collect(Collectors.groupingBy(AuditEvent::correlationId,
        Collectors.counting()));
    expected.forEach((correlation, n) -> {
      EventFilter ofChain = new EventFilter(Map.of("correlation_id", correlation), null, null);
      for (String shard : List.of("a", "b")) {
        assertThat(sharded.shard(shard).count(ofChain)).as(correlation + " on " + shard)
            .isEqualTo(placement.writtenTo(correlation).equals(shard) ? n : 0);
      }
    });
    Map<String, Long> perShard = new HashMap<>();
    for (String shard : List.of("a", "b")) {
      perShard.put(shard, sharded.shard(shard).count(ALL));
    }
    assertThat(perShard.get("a")).isPositive();
    assertThat(perShard.get("b")).isPositive();
    assertThat(perShard.get("a") + perShard.get("b")).isEqualTo(EVENTS);
    assertThat(sharded.shard(Placement.HOME).count(ALL)).as("home holds no partition here").isZero();
    assertThat(sharded.count(ALL)).isEqualTo(EVENTS);
  }

  @Test
  void cursorPagesWithOddLimitsInBothOrdersSeeEveryEventOnceInTheOrderOneDatabaseGives() {
    for (boolean descending : List.of(false, true)) {
      List<String> expected = ids(whole.server().trail(), ALL, 500, descending);
      assertThat(expected).hasSize(EVENTS);
      for (int limit : List.of(1, 7, 333)) {
        assertThat(ids(sharded, ALL, limit, descending)).as("limit " + limit + (descending ? " desc" : " asc"))
            .containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void offsetPagesMatchOneDatabasesToo() {
    for (boolean descending : List.of(false, true)) {
      for (int offset : List.of(0, 13, 1_170, 2_340, 2_400)) {
        Page page = new Page(17, descending, null, offset);
        assertThat(idsOf(sharded.list(ALL, page).events())).as("offset " + offset)
            .containsExactlyElementsOf(idsOf(whole.server().trail().list(ALL, page).events()));
      }
    }
  }

  @Test
  void countsHistogramsAndExportsAgreeWithOneDatabase() {
    AuditTrail one = whole.server().trail();
    EventFilter failures = new EventFilter(Map.of("event_category", "sharding", "event_outcome", "failure"),
        T0.plusSeconds(600), null);
    assertThat(sharded.count(failures)).isEqualTo(one.count(failures)).isPositive();
    Instant now = Instant.now();
    for (EventFilter filter : List.of(ALL, failures, ALL.between(T0, T0.plusSeconds(3_600)))) {
      assertThat(sharded.histogram(filter, 12, now)).isEqualTo(one.histogram(filter, 12, now));
    }
    assertThat(sharded.whole(ALL, 100, 250)).extracting(e -> e.event().eventId())
        .containsExactlyElementsOf(one.whole(ALL, 100, 250).stream().map(e -> e.event().eventId()).toList());
  }

  @Test
  void chainOrderMergesTheShardsIntoTheOrderOneDatabaseGives() {
    for (int batchSize : List.of(1, 50, 1_000)) {
      assertThat(inChainOrder(sharded, batchSize)).as("batches of " + batchSize)
          .containsExactlyElementsOf(inChainOrder(whole.server().trail(), 500));
    }
  }

  private static List<UUID> inChainOrder(AuditTrail trail, int batchSize) {
    return trail.inSnapshot("export", snapshot -> {
      List<UUID> ids = new ArrayList<>();
      snapshot.inChainOrder(ALL, batchSize, batch -> {
        assertThat(batch.size()).isLessThanOrEqualTo(batchSize);
        batch.forEach(row -> ids.add(row.event().eventId()));
      });
      return ids;
    });
  }

  @Test
  void aProducersAccountsAreItsEpochsPartsFromEveryShardMerged() {
    // One epoch numbering its events over 12 correlations (both shards), 7 and 13 never sent, 13
    // declared given up, closed at 20; a second producer's epoch on one correlation only.
    UUID epoch = UuidV7.generate();
    List<AuditEvent> numbered = new ArrayList<>();
    for (long seq = 1; seq <= 20; seq++) {
      if (seq != 7 && seq != 13) {
        numbered.add(AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(T0.plusSeconds(seq))
            .eventType("shard.numbered").eventCategory("numbered").eventAction("write")
            .eventOutcome(EventOutcome.SUCCESS).correlationId("numbered-" + (seq % 12)).eventData(Map.of())
            .producer("shard-test@host", epoch, seq).build());
      }
    }
    numbered.add(Declaration.declared("shard-test@host", epoch, "buffer_full", List.of(new Declaration.SeqRange(13, 13)),
        T0.plusSeconds(30)));
    numbered.add(Declaration.closed("shard-test@host", epoch, 20, T0.plusSeconds(31)));
    UUID other = UuidV7.generate();
    List<AuditEvent> single = List.of(AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(T0)
        .eventType("shard.numbered").eventCategory("numbered").eventAction("write").eventOutcome(EventOutcome.SUCCESS)
        .correlationId("numbered-other").eventData(Map.of()).producer("other@host", other, 1L).build());
    for (AuditTrail trail : List.of(sharded, whole.server().trail())) {
      trail.append(numbered, "sharding-test", 20);
      trail.append(single, "sharding-test", 1);
    }
    assertThat(numbered.stream().map(e -> sharded.placement().writtenTo(e.correlationId())).distinct())
        .as("the epoch's events are on both shards").contains("a", "b");

    ProducerEpochAccount across = sharded.producerEpoch("shard-test@host", epoch).orElseThrow();
    ProducerEpochAccount one = whole.server().trail().producerEpoch("shard-test@host", epoch).orElseThrow();
    assertThat(across.stored()).isEqualTo(one.stored()).isEqualTo(18);
    assertThat(across.declared()).isEqualTo(one.declared()).isEqualTo(Map.of("buffer_full", 1L));
    assertThat(across.gaps()).extracting(g -> g.first() + ".." + g.last()).containsExactly("7..7")
        .containsExactlyElementsOf(one.gaps().stream().map(g -> g.first() + ".." + g.last()).toList());
    assertThat(across.highestSeq()).isEqualTo(one.highestSeq());
    assertThat(across.issuedSeq()).isEqualTo(one.issuedSeq());
    assertThat(across.closedLastSeq()).isEqualTo(20L);
    assertThat(sharded.producerEpochs(null, null, 10)).extracting(ProducerEpochAccount::epoch)
        .containsExactlyInAnyOrder(epoch, other);
    assertThat(sharded.producerEpochs(null, "other@host", 10)).singleElement()
        .satisfies(a -> assertThat(a.stored()).isEqualTo(1));
    var answer = fx.get("/api/v1/producers/shard-test@host/epochs/" + epoch);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  @Test
  void aChildsParentIsFoundOnAnotherShard() {
    String parentChain = "parent-chain";
    String childChain = "child-chain";
    for (int i = 0; sharded.placement().writtenTo(childChain).equals(sharded.placement().writtenTo(parentChain)); i++) {
      childChain = "child-chain-" + i;
    }
    Instant lastWeek = Instant.now().minus(7, ChronoUnit.DAYS);
    AuditEvent parent = AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(lastWeek).eventType("shard.parent")
        .eventCategory("parents").eventAction("write").eventOutcome(EventOutcome.SUCCESS).correlationId(parentChain)
        .eventData(Map.of()).build();
    sharded.append(List.of(parent), "sharding-test");
    AuditEvent child = parent.toBuilder().eventId(UuidV7.generate()).eventTimestamp(Instant.now())
        .eventType("shard.child").correlationId(childChain).parentEventId(parent.eventId()).build();
    assertThat(sharded.append(List.of(child), "sharding-test")).containsExactly(child.eventId());
    assertThat(sharded.byId(child.eventId()).orElseThrow().get("parent_event_date").asText())
        .as("the parent's date, read on the parent's shard")
        .startsWith(LocalDate.ofInstant(lastWeek, ZoneOffset.UTC).toString());
    AuditEvent orphan = child.toBuilder().eventId(UuidV7.generate()).parentEventId(UuidV7.generate()).build();
    assertThatThrownBy(() -> sharded.append(List.of(orphan), "sharding-test"))
        .isInstanceOf(ParentEventNotFoundException.class);
  }

  @Test
  void aCorrelationsReadsAskItsShardOnlyAndItsChainIsReadWhole() {
    String correlation = written.get(0).correlationId();
    String shard = sharded.placement().writtenTo(correlation);
    EventFilter ofChain = new EventFilter(Map.of("correlation_id", correlation), null, null);
    assertThat(sharded.explain(ofChain, new Page(10, false, null))).first().isEqualTo("shard " + shard + ":");
    assertThat(ids(sharded, ofChain, 4, false)).containsExactlyElementsOf(ids(whole.server().trail(), ofChain, 100, false));
    List<StoredEvent> chain = sharded.inSnapshot("walking", snapshot -> {
      List<StoredEvent> rows = new ArrayList<>();
      snapshot.walk(correlation, rows::add);
      return rows;
    });
    assertThat(chain).extracting(StoredEvent::chainPosition)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, chain.size()).boxed().toList());
    assertThat(chain).hasSize((int) written.stream().filter(e -> e.correlationId().equals(correlation)).count());
    assertThat(sharded.countChains(List.of(correlation))).containsEntry(correlation, (long) chain.size());
  }

  @Test
  void anEventIsFoundByIdOnWhicheverShardHoldsItAndSaysWhich() {
    for (AuditEvent e : written.subList(0, 20)) {
      ObjectNode found = sharded.byId(e.eventId()).orElseThrow();
      assertThat(found.get("event_id").asText()).isEqualTo(e.eventId().toString());
      assertThat(found.get("shard").asText()).isEqualTo(sharded.placement().writtenTo(e.correlationId()));
    }
    assertThat(sharded.byId(UuidV7.generate())).isEmpty();
  }

  @Test
  void anIdReusedInACorrelationOnAnotherShardIsAConflictWhenReadNotOneEventChosen() {
    AuditEvent original = written.get(written.size() - 1); // not one the by-id test reads
    String own = sharded.placement().writtenTo(original.correlationId());
    String elsewhere = "reused-id-chain";
    for (int i = 0; sharded.placement().writtenTo(elsewhere).equals(own); i++) {
      elsewhere = "reused-id-chain-" + i;
    }
    AuditEvent reuse = original.toBuilder().correlationId(elsewhere).eventCategory("reused-ids").eventType("shard.shadow")
        .build();
    assertThat(sharded.append(List.of(reuse), "sharding-test")).as("each shard refuses only its own duplicates")
        .containsExactly(original.eventId());
    assertThatThrownBy(() -> sharded.byId(original.eventId())).isInstanceOf(ConflictException.class)
        .hasMessageStartingWith("event_id " + original.eventId() + " is held by events on shards a and b");
    var answer = fx.get("/api/v1/audit/events/" + original.eventId());
    assertThat(answer.status()).as(answer.body()).isEqualTo(409);
    assertThat(answer.body()).contains("is held by events on shards a and b");
  }

  @Test
  void theServersOwnRecordsAreWrittenHomeWithTheFeaturesTables() {
    AuditEvent record = AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(Instant.now())
        .eventType("auditflow.test").eventCategory("auditflow").eventAction("read")
        .eventOutcome(EventOutcome.SUCCESS).correlationId("access:token:shard-test").eventData(Map.of()).build();
    sharded.appendWith("a server record", Instant.now(), (tx, appender) -> appender.append(List.of(record), "server"));
    EventFilter access = new EventFilter(Map.of("correlation_id", "access:token:shard-test"), null, null);
    assertThat(sharded.shard(Placement.HOME).count(access)).isEqualTo(1);
    assertThat(sharded.count(access)).isEqualTo(1);
    // A writer's chain lives on its shard: a feature's transaction on home cannot store it.
    AuditEvent elsewhere = record.toBuilder().eventId(UuidV7.generate()).correlationId("shard-feature-write")
        .eventType("shard.t").eventCategory("sharding-feature").build();
    assertThatThrownBy(() -> sharded.appendWith("a feature write", Instant.now(),
        (tx, appender) -> appender.append(List.of(elsewhere), "feature")))
        .hasMessageContaining("but the chain lives on shard");
    assertThat(sharded.count(new EventFilter(Map.of("event_category", "sharding-feature"), null, null))).isZero();
  }

  @Test
  void aNodeMustBeGivenEveryShardTheCatalogPlacesPartitionsOn() {
    assertThatThrownBy(() -> AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
        .jdbcUrl(stores.catalog()).poolSize(2).shards(Map.of("a", stores.shards().get("a"))).build()))
        .hasMessageContaining("no database given for [b]");
  }

  @Test
  void theCatalogKeepsOnePlacementPerTopicAndRefusesAnother() throws Exception {
    String topic = KafkaSettings.DEFAULT_TOPIC;
    try (Connection c = fx.server().database().connection()) {
      assertThat(ShardCatalog.load(c, topic)).contains(sharded.placement());
      assertThat(ShardCatalog.assign(c, topic, 12, List.of("a", "b"))).isEqualTo(sharded.placement());
      assertThatThrownBy(() -> ShardCatalog.assign(c, topic, 12, List.of("a", "b", "c")))
          .hasMessageContaining("already placed otherwise: partitions [0, 2, 4, 6, 8, 10] on a,"
              + " partitions [1, 3, 5, 7, 9, 11] on b");
      assertThat(ShardCatalog.load(c, "another.topic")).isEmpty();
      try (var s = c.createStatement()) {
        s.execute("INSERT INTO shard_partitions (topic, partition, shard) VALUES ('gappy', 0, 'a'), ('gappy', 2, 'b')");
      }
      assertThatThrownBy(() -> ShardCatalog.load(c, "gappy")).hasMessageContaining("places partition 2 of topic gappy"
          + " but not partition 1");
    }
  }

  /** Every event {@code filter} covers, page by page with cursors. */
  static List<String> ids(AuditTrail trail, EventFilter filter, int limit, boolean descending) {
    List<String> ids = new ArrayList<>();
    Cursor after = null;
    do {
      AuditTrail.EventPage page = trail.list(filter, new Page(limit, descending, after));
      assertThat(page.events().size()).isLessThanOrEqualTo(limit);
      ids.addAll(idsOf(page.events()));
      after = page.hasMore() ? page.next() : null;
    } while (after != null);
    assertThat(Set.copyOf(ids)).as("no event twice").hasSameSizeAs(ids);
    return ids;
  }

  static List<String> idsOf(List<ObjectNode> events) {
    return events.stream().map(e -> e.get("event_id").asText()).collect(Collectors.toList());
  }
}
