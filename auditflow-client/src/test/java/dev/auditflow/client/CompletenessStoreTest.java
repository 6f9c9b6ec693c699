package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Problem;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Producer sequences on fake time (docs/COMPLETENESS.md): every accepted event is numbered, every
 * number the store gives up on is declared with a later batch, and close ends the epoch at its
 * last number.
 */
class CompletenessStoreTest {
  /** The stores' time; a store that closed shut its runtime down, so a second store gets a new one. */
  private FakeTime time = new FakeTime();
  private final List<List<AuditEvent>> sent = new CopyOnWriteArrayList<>();
  private FakeTransport transport;

  private AuditStoreBuilder builder(FakeTransport.Behaviour behaviour) {
    transport = new FakeTransport((call, batch) -> {
      sent.add(List.copyOf(batch));
      return behaviour.answer(call, batch);
    });
    return AuditStore.builder().transport(transport).runtime(time).producerId("orders@test-host")
        .retryPolicy(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 0, 3));
  }

  private List<AuditEvent> audited() {
    return sent.stream().flatMap(List::stream).filter(e -> !Declaration.claims(e)).toList();
  }

  private List<Declaration> declarations() {
    return sent.stream().flatMap(List::stream).map(Declaration::of).flatMap(Optional::stream).toList();
  }

  /** Close waits for the dispatcher, whose tasks run when the fake time runs them: run them meanwhile. */
  private void closeOnFakeTime(AuditStore store) {
    java.util.concurrent.CompletableFuture<CloseReport> closing =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> store.close(Duration.ofSeconds(5)));
    while (!closing.isDone()) {
      time.runUntilIdle();
      Thread.onSpinWait();
    }
    assertThat(closing.join().completed()).isTrue();
  }

  @Test
  void everyAcceptedEventIsNumberedInOrderInOneEpoch() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(100).flushInterval(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 3; i++) {
      store.store(Events.event("numbered"));
    }
    time.advance(Duration.ofSeconds(1));

    assertThat(audited()).extracting(AuditEvent::producerSeq).containsExactly(1L, 2L, 3L);
    assertThat(audited()).extracting(AuditEvent::producerId).containsOnly("orders@test-host");
    assertThat(audited()).extracting(AuditEvent::producerEpoch).doesNotContainNull().hasSameElementsAs(
        List.of(audited().get(0).producerEpoch()));
  }

  @Test
  void everyBatchTellsTheServerHowManyNumbersWereGivenIncludingThoseStillBuffered() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(2).flushInterval(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 5; i++) {
      store.store(Events.event("issued"));
    }
    time.advance(Duration.ofSeconds(1));
    store.store(Events.event("issued"));
    time.advance(Duration.ofSeconds(1));

    assertThat(audited()).extracting(AuditEvent::producerSeq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    // The batches of 1-2, 3-4 and 5 left with five numbers given: should the producer die then,
    // the server knows 3..5 were accepted even before they arrive.
    assertThat(transport.issuedMarks).containsExactly(5L, 5L, 5L, 6L);
  }

  @Test
  void aDroppedNumberIsDeclaredWithTheNextBatch() {
    AuditStore store = builder(FakeTransport.ACK).bufferSize(2).overflowPolicy(OverflowPolicy.DROP).batchSize(2)
        .flushInterval(Duration.ofSeconds(1)).build();
    store.store(Events.event("drop"));
    store.store(Events.event("drop"));
    DeliveryHandle dropped = store.store(Events.event("drop"));
    assertThat(dropped.failure()).map(AuditDeliveryException::reason).contains(Reason.BUFFER_FULL);

    time.advance(Duration.ofSeconds(1));

    assertThat(sent).hasSize(1);
    assertThat(audited()).extracting(AuditEvent::producerSeq).containsExactly(1L, 2L);
    assertThat(declarations()).singleElement().satisfies(d -> {
      assertThat(d.reason()).isEqualTo("buffer_full");
      assertThat(d.ranges()).containsExactly(new Declaration.SeqRange(3, 3));
      assertThat(d.epoch()).isEqualTo(audited().get(0).producerEpoch());
    });
    assertThat(store.stats().acknowledged()).as("declarations are not counted as the producer's events").isEqualTo(2);
  }

  @Test
  void aRejectedBatchsNumbersAreDeclaredAndAnUndeliveredDeclarationGoesAgain() {
    Problem refused = Problem.of(ProblemType.VALIDATION_ERROR, "no");
    AuditStore store = builder((call, batch) -> {
      if (call == 1) {
        throw TransportException.http(400, refused, null);
      }
      if (call == 2) {
        throw TransportException.notSent("server unreachable", null);
      }
      return FakeTransport.ACK.answer(call, batch);
    }).batchSize(2).flushInterval(Duration.ofSeconds(1)).build();
    store.store(Events.event("rejected"));
    store.store(Events.event("rejected")); // a full batch: call 1, refused
    time.runUntilIdle();
    store.store(Events.event("later"));
    store.store(Events.event("later")); // call 2 fails once, call 3 carries it again
    time.advance(Duration.ofSeconds(1));

    assertThat(sent).hasSize(3);
    assertThat(declarations()).as("sent with call 2, again with call 3").hasSize(2).allSatisfy(d -> {
      assertThat(d.reason()).isEqualTo("rejected");
      assertThat(d.ranges()).containsExactly(new Declaration.SeqRange(1, 2));
    });
    assertThat(sent.get(2)).extracting(AuditEvent::producerSeq).contains(3L, 4L);
  }

  @Test
  void closeEndsTheEpochAtItsLastNumber() {
    AuditStore store = builder(FakeTransport.ACK).batchSize(100).flushInterval(Duration.ofSeconds(1)).build();
    for (int i = 0; i < 5; i++) {
      store.store(Events.event("close"));
    }
    closeOnFakeTime(store);

    List<AuditEvent> last = sent.get(sent.size() - 1);
    assertThat(last).singleElement().satisfies(marker -> {
      assertThat(marker.eventType()).isEqualTo(Declaration.TYPE_CLOSED);
      assertThat(Declaration.of(marker)).hasValueSatisfying(d -> {
        assertThat(d.closedLastSeq()).isEqualTo(5);
        assertThat(d.epoch()).isEqualTo(audited().get(0).producerEpoch());
      });
    });
  }

  @Test
  void withSequencesOffNothingIsNumberedNorDeclared() {
    AuditStore store = builder(FakeTransport.ACK).producerSequences(false).batchSize(100)
        .flushInterval(Duration.ofSeconds(1)).build();
    store.store(Events.event("off"));
    closeOnFakeTime(store);

    assertThat(sent).hasSize(1);
    assertThat(audited()).singleElement().satisfies(e -> assertThat(e.hasProducer()).isFalse());
  }

  @Test
  void theSequencerMergesWhatItGivesUpIntoRanges() {
    Sequencer sequencer = new Sequencer("p@h", dev.auditflow.api.UuidV7.generate());
    List<AuditEvent> numbered = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      numbered.add(sequencer.number(Events.event("ranges")));
    }
    for (int i : new int[] {4, 0, 2, 1}) {
      sequencer.gaveUp(numbered.get(i).producerSeq(), Reason.DELIVERY_TIMEOUT);
    }
    sequencer.gaveUp(numbered.get(5).producerSeq(), Reason.OUTCOME_UNKNOWN);
    sequencer.gaveUp(0, Reason.DELIVERY_TIMEOUT); // an unnumbered event

    List<AuditEvent> first = sequencer.takeDeclarations(java.time.Instant.now());
    assertThat(sequencer.hasPending()).isFalse();
    assertThat(first.stream().map(Declaration::of).flatMap(Optional::stream)).extracting(Declaration::reason,
        Declaration::ranges).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("delivery_timeout",
                List.of(new Declaration.SeqRange(1, 3), new Declaration.SeqRange(5, 5))),
            org.assertj.core.groups.Tuple.tuple("outcome_unknown", List.of(new Declaration.SeqRange(6, 6))));

    sequencer.restore(first);
    sequencer.gaveUp(numbered.get(3).producerSeq(), Reason.DELIVERY_TIMEOUT);
    assertThat(sequencer.takeDeclarations(java.time.Instant.now()).stream().map(Declaration::of)
        .flatMap(Optional::stream).filter(d -> d.reason().equals("delivery_timeout")))
        .singleElement().satisfies(d -> assertThat(d.ranges()).containsExactly(new Declaration.SeqRange(1, 5)));
    assertThat(sequencer.closedMarker(java.time.Instant.now()).eventData().get("last_seq").asLong()).isEqualTo(6);
  }

  @Test
  void aStoreOnTheSpoolOfOneThatDiedSendsWhatItAcceptedAndDeclaresTheRest(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path spoolDir) {
    // The first store sends nothing before its close runs out of time: as a crash would, it leaves
    // its events in the spool.
    AuditStore first = builder((call, batch) -> {
      throw TransportException.notSent("server unreachable", null);
    }).spoolDirectory(spoolDir).batchSize(100).flushInterval(Duration.ofSeconds(1)).build();
    List<DeliveryHandle> accepted = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      accepted.add(first.store(Events.event("spooled")));
    }
    // No fake time passes: nothing is sent, and close gives up after 50 ms, as if the process died.
    assertThat(first.close(Duration.ofMillis(50)).completed()).isFalse();
    assertThat(accepted).allSatisfy(h -> assertThat(h.failure()).map(AuditDeliveryException::reason)
        .contains(Reason.CLOSED_BEFORE_DELIVERY));
    sent.clear();
    time = new FakeTime();

    AuditStore second = builder(FakeTransport.ACK).spoolDirectory(spoolDir).batchSize(100)
        .flushInterval(Duration.ofSeconds(1)).build();
    time.advance(Duration.ofSeconds(1));
    assertThat(audited()).extracting(AuditEvent::eventId).containsExactlyElementsOf(
        accepted.stream().map(DeliveryHandle::eventId).toList());
    assertThat(audited()).extracting(AuditEvent::producerSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(declarations()).as("the recovery's declarations ride with the first batch, not only at close")
        .filteredOn(d -> "unissued".equals(d.reason())).hasSize(1);
    assertThat(transport.issuedMarks).as("the resumed epoch's mark: every reserved number is spoken for")
        .containsExactly(Spool.RESERVATION);
    second.store(Events.event("after"));
    closeOnFakeTime(second);
    List<Declaration> declared = declarations();
    assertThat(declared).filteredOn(d -> "unissued".equals(d.reason())).singleElement()
        .satisfies(d -> assertThat(d.ranges()).containsExactly(new Declaration.SeqRange(6, Spool.RESERVATION)));
    assertThat(declared).filteredOn(d -> d.closedLastSeq() != null).singleElement()
        .satisfies(d -> assertThat(d.closedLastSeq()).isEqualTo(Spool.RESERVATION + 1));
    assertThat(audited()).extracting(AuditEvent::producerSeq).contains(Spool.RESERVATION + 1);
    assertThat(spoolDir.resolve("epoch.json")).as("a clean close empties the spool").doesNotExist();
  }
}
