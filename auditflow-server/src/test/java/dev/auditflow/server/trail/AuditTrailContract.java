package dev.auditflow.server.trail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.UuidV7;
import dev.auditflow.verify.ChainHasher;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditTrail} must do, whatever stores it: {@link PostgresTrailTest} runs it on
 * one PostgreSQL database, {@link ShardedTrailContractTest} on three shards. Each test
 * works in correlations of its own, so a shared store does not disturb them.
 */
abstract class AuditTrailContract {
  /** The trail under test; the same instance for every call of one test. */
  protected abstract AuditTrail trail();

  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  private static String newCorrelation(String name) {
    return "contract-" + name + "-" + UuidV7.generate();
  }

  private static AuditEvent event(String correlationId, String type, int second) {
    return event(correlationId, "contract", type, second);
  }

  private static AuditEvent event(String correlationId, String category, String type, int second) {
    return AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(NOW.minusSeconds(60 - second))
        .eventType(type).eventCategory(category).eventAction("write").eventOutcome(EventOutcome.SUCCESS)
        .correlationId(correlationId).eventData(Map.of("n", second)).build();
  }

  private static EventFilter ofChain(String correlationId) {
    return new EventFilter(Map.of("correlation_id", correlationId), null, null);
  }

  @Test
  void appendingLinksEachChainInOrderAndOnlyOnce() {
    String chain = newCorrelation("append");
    List<AuditEvent> events = List.of(event(chain, "t.a", 1), event(chain, "t.b", 2), event(chain, "t.c", 3));

    assertThat(trail().append(events, "contract")).containsExactlyInAnyOrderElementsOf(
        events.stream().map(AuditEvent::eventId).toList());
    assertThat(trail().append(events, "contract")).as("a retry's duplicates are not stored again").isEmpty();

    List<StoredEvent> walked = trail().inSnapshot("reading back", snapshot -> {
      List<StoredEvent> rows = new ArrayList<>();
      snapshot.walk(chain, rows::add);
      assertThat(snapshot.head(chain)).hasValueSatisfying(head -> {
        assertThat(head.position()).isEqualTo(3);
        assertThat(head.hash()).isEqualTo(rows.get(2).eventHash());
      });
      assertThat(snapshot.countChain(chain)).isEqualTo(3);
      return rows;
    });
    assertThat(walked).extracting(StoredEvent::chainPosition).containsExactly(1L, 2L, 3L);
    assertThat(walked.get(0).previousEventHash()).isEqualTo(ChainHasher.GENESIS);
    for (int i = 1; i < walked.size(); i++) {
      assertThat(walked.get(i).previousEventHash()).as("link %d", i).isEqualTo(walked.get(i - 1).eventHash());
    }
    assertThat(walked).extracting(row -> row.event().eventId())
        .containsExactlyElementsOf(events.stream().map(AuditEvent::eventId).toList());
  }

  @Test
  void aFeaturesFailureTakesItsEventsBackWithIt() {
    // A chain a feature writes with its tables (a workflow's): with shards, one the catalog holds.
    String chain = ServerVocabulary.WORKFLOW_CHAIN_PREFIX + newCorrelation("with");
    RuntimeException refused = new IllegalStateException("the feature's own write failed");

    assertThatThrownBy(() -> trail().appendWith("a failing feature write", NOW, (tx, appender) -> {
      appender.append(List.of(event(chain, "t.first", 1)), "contract");
      assertThat(appender.countChain(chain)).as("seen inside the transaction").isEqualTo(1);
      throw refused;
    })).isSameAs(refused);
    assertThat(trail().count(ofChain(chain))).as("nothing of the failed transaction stays").isZero();

    Set<UUID> stored = trail().appendWith("a feature write", NOW, (tx, appender) ->
        appender.append(List.of(event(chain, "t.second", 2)), "contract"));
    assertThat(stored).hasSize(1);
    Optional<ChainHead> head = trail().inSnapshot("head", snapshot -> snapshot.head(chain));
    assertThat(head).as("the failed write took no chain position").hasValueSatisfying(h -> assertThat(h.position()).isEqualTo(1));
  }

  @Test
  void everyReaderAnswersTheSameFilterAlike() {
    String chain = newCorrelation("filter");
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      events.add(event(chain, i % 2 == 0 ? "t.even" : "t.odd", i));
    }
    trail().append(events, "contract");
    EventFilter odd = new EventFilter(Map.of("correlation_id", chain, "event_type", "t.odd"), null, null);

    assertThat(trail().count(odd)).isEqualTo(3);
    assertThat(trail().list(odd, new Page(10, false, null)).events()).hasSize(3)
        .allSatisfy(json -> assertThat(json.get("event_type").asText()).isEqualTo("t.odd"));
    assertThat(trail().whole(odd, 0, 10)).hasSize(3);
    AuditTrail.Histogram histogram = trail().histogram(odd, 4, NOW);
    assertThat(histogram.buckets().stream().mapToLong(AuditTrail.Bucket::success).sum()).isEqualTo(3);
    List<StoredEvent> inChainOrder = trail().inSnapshot("export", snapshot -> {
      List<StoredEvent> rows = new ArrayList<>();
      snapshot.inChainOrder(odd, 2, rows::addAll);
      return rows;
    });
    assertThat(inChainOrder).extracting(StoredEvent::chainPosition).containsExactly(1L, 3L, 5L);
    assertThat(trail().countChains(List.of(chain, newCorrelation("none")))).containsExactly(Map.entry(chain, 5L));
  }

  @Test
  void totalsOfACategoryOrTypeAreExactlyTheEventsCountedBeforeAndAfterAFold() {
    String category = "contract-total-" + UuidV7.generate();
    String type = "t.total-" + UuidV7.generate();
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      // Several chains, so that with shards the events spread over them.
      events.add(event(newCorrelation("total-" + i % 3), category, i % 2 == 0 ? type : "t.other", i));
    }
    trail().append(events, "contract");
    trail().append(events.subList(0, 3), "contract"); // a retry: duplicates are not counted again

    EventFilter ofCategory = new EventFilter(Map.of("event_category", category), null, null);
    EventFilter ofType = new EventFilter(Map.of("event_type", type), null, null);
    // With a time bound the same filter is counted row by row: the two must agree.
    Instant from = NOW.minusSeconds(3_600);
    Instant to = NOW.plusSeconds(3_600);
    assertThat(trail().count(ofCategory)).isEqualTo(7).isEqualTo(trail().count(ofCategory.between(from, to)));
    assertThat(trail().count(ofType)).isEqualTo(3).isEqualTo(trail().count(ofType.between(from, to)));
    assertThat(trail().count(new EventFilter(Map.of("event_category", category), null, null, null, category, null)))
        .as("a category asked for and excluded").isZero();

    trail().foldCounts();
    assertThat(trail().count(ofCategory)).as("folded").isEqualTo(7);
    assertThat(trail().count(ofType)).as("folded").isEqualTo(3);
  }

  @Test
  void aCursorPageResumesWhereTheLastEnded() {
    String chain = newCorrelation("pages");
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      events.add(event(chain, "t.page", i));
    }
    trail().append(events, "contract");

    AuditTrail.EventPage first = trail().list(ofChain(chain), new Page(3, false, null));
    assertThat(first.hasMore()).isTrue();
    AuditTrail.EventPage second = trail().list(ofChain(chain), new Page(3, false, first.next()));
    assertThat(second.hasMore()).isFalse();
    List<String> ids = new ArrayList<>();
    first.events().forEach(json -> ids.add(json.get("event_id").asText()));
    second.events().forEach(json -> ids.add(json.get("event_id").asText()));
    assertThat(ids).containsExactlyElementsOf(events.stream().map(e -> e.eventId().toString()).toList());
  }

  @Test
  void theLogIntegratesWhatWasAppendedAndProvesIt() {
    String chain = newCorrelation("log");
    List<AuditEvent> events = List.of(event(chain, "t.log", 1), event(chain, "t.log", 2));
    trail().append(events, "contract");
    while (trail().log().queuedEvents() > 0) {
      trail().log().integrate();
    }
    TransparencyLog.State state = trail().log().state();
    assertThat(state.checkpoint()).isNotNull();

    List<UUID> ids = events.stream().map(AuditEvent::eventId).toList();
    Map<UUID, InclusionProof> proofs = trail().log().proofs(ids, state.size());
    assertThat(proofs).containsOnlyKeys(ids);
    for (UUID id : ids) {
      InclusionProof proof = proofs.get(id);
      // With shards, an event is a leaf of its shard's log, whose checkpoint the root took (docs/SCALE.md).
      TransparencyLog holder = proof.shard() == null ? trail().log() : trail().log().shardLog(proof.shard()).orElseThrow();
      TransparencyLog.Leaf leaf = holder.leafOf(id).orElseThrow();
      assertThat(leaf.index()).isLessThan(holder.state().size());
      assertThat(proof.leafIndex()).isEqualTo(leaf.index());
      assertThat(holder.event(leaf)).hasValueSatisfying(row -> assertThat(row.event().eventId()).isEqualTo(id));
      if (proof.shard() != null) {
        assertThat(trail().log().throughShard(id, state.size())).hasValueSatisfying(step ->
            assertThat(step.leaf().index()).isEqualTo(leaf.index()));
      }
    }
  }
}
