package dev.auditflow.api.completeness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.api.Violation;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Declarations and the producer fields as the wire carries them (docs/COMPLETENESS.md). */
class DeclarationTest {
  private final UUID epoch = UuidV7.generate();

  private static AuditEvent read(AuditEvent event) {
    return AuditEventJson.read(AuditEventJson.toTree(event)).event();
  }

  @Test
  void aDeclarationAndAnEpochClosedMarkerReadBackAsWritten() {
    List<Declaration.SeqRange> ranges = List.of(new Declaration.SeqRange(3, 5), new Declaration.SeqRange(9, 9));
    AuditEvent declared = read(Declaration.declared("orders@host", epoch, "buffer_full", ranges, Instant.now()));
    assertThat(Declaration.violations(declared)).isEmpty();
    assertThat(declared.correlationId()).isEqualTo("producer:orders@host:" + epoch);
    assertThat(declared.eventData().get("count").asLong()).isEqualTo(4);
    assertThat(Declaration.of(declared)).contains(new Declaration("orders@host", epoch, "buffer_full", ranges, null));

    AuditEvent closed = read(Declaration.closed("orders@host", epoch, 17, Instant.now()));
    assertThat(Declaration.of(closed)).contains(new Declaration("orders@host", epoch, null, List.of(), 17L));
  }

  @Test
  void aMalformedDeclarationIsRefusedFieldByField() {
    AuditEvent good = Declaration.declared("orders@host", epoch, "buffer_full",
        List.of(new Declaration.SeqRange(1, 1)), Instant.now());
    ObjectNode json = (ObjectNode) AuditEventJson.toTree(good);
    json.put("correlation_id", "another-chain");
    ((ObjectNode) json.get("event_data")).put("reason", "felt like it");
    ((ObjectNode) json.get("event_data")).putArray("ranges").addArray().add(5).add(2);
    AuditEvent bad = AuditEventJson.read(json).event();
    assertThat(Declaration.violations(bad)).extracting(Violation::field)
        .containsExactlyInAnyOrder("correlation_id", "event_data.reason", "event_data.ranges");
    assertThat(Declaration.of(bad)).isEmpty();
  }

  @Test
  void theProducerFieldsRoundTripAndComeAllThreeOrNone() {
    AuditEvent event = AuditEvent.builder().eventType("t").eventCategory("c").eventAction("a")
        .eventOutcome(dev.auditflow.api.EventOutcome.SUCCESS).eventTimestamp(Instant.now()).correlationId("x")
        .eventData(java.util.Map.of())
        .build().withProducer("orders@host", epoch, 7);
    EventValidator validator = new EventValidator(ValidationRules.defaults());
    assertThat(validator.validate(event)).isEmpty();
    AuditEvent back = read(event);
    assertThat(back.producerId()).isEqualTo("orders@host");
    assertThat(back.producerEpoch()).isEqualTo(epoch);
    assertThat(back.producerSeq()).isEqualTo(7);

    assertThat(validator.validate(event.toBuilder().producer("orders@host", null, null).build()))
        .extracting(Violation::field).containsExactlyInAnyOrder("producer_epoch", "producer_seq");
    assertThat(validator.validate(event.toBuilder().producer("orders@host", epoch, 0L).build()))
        .extracting(Violation::message).containsExactly("must be >= 1, was 0");
  }
}
