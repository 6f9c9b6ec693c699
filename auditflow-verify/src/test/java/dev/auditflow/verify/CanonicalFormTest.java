package dev.auditflow.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The canonical form and hash of a fixed event: the worked example of docs/CHAIN.md. */
public class CanonicalFormTest {
  public static final String EXPECTED_CANONICAL =
      "{\"actor_id\":\"payment-service\",\"actor_type\":\"service\",\"chain_position\":1,"
          + "\"correlation_id\":\"order-4711\",\"event_action\":\"authorise\",\"event_category\":\"payment\","
          + "\"event_data\":{\"amount\":42.5,\"currency\":\"EUR\",\"lines\":[1,100]},\"event_date\":\"2026-01-31\","
          + "\"event_id\":\"01890a5d-ac96-774b-bcce-b302099a8057\",\"event_outcome\":\"success\","
          + "\"event_timestamp\":\"2026-01-31T12:00:00.000000Z\",\"event_type\":\"payment.authorised\","
          + "\"is_sensitive\":false,\"received_at\":\"2026-01-31T12:00:00.250000Z\",\"resource_id\":\"order-4711\","
          + "\"resource_type\":\"payment\",\"severity\":\"info\",\"version\":\"1.0\"}";

  static AuditEvent example() throws Exception {
    return AuditEvent.builder()
        .eventId(UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057"))
        .eventType("payment.authorised")
        .eventTimestamp(Instant.parse("2026-01-31T12:00:00Z"))
        .eventCategory("payment")
        .eventAction("authorise")
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId("order-4711")
        .eventData(AuditEventJson.mapper().readTree("{\"lines\":[1.0,1e2],\"currency\":\"EUR\",\"amount\":42.50}"))
        .build();
  }

  @Test
  void canonicalFormOfTheDocumentedExample() throws Exception {
    byte[] canonical = CanonicalForm.of(example(), 1, LocalDate.parse("2026-01-31"), Instant.parse("2026-01-31T12:00:00.25Z"), null);
    assertThat(new String(canonical, StandardCharsets.UTF_8)).isEqualTo(EXPECTED_CANONICAL);
  }

  @Test
  void theDocumentShowsTheSameFormAndHash() throws Exception {
    byte[] canonical = EXPECTED_CANONICAL.getBytes(StandardCharsets.UTF_8);
    String hash = ChainHasher.sha256().hash(ChainHasher.GENESIS, canonical);
    String doc = Files.readString(Path.of("../docs/CHAIN.md"));
    assertThat(doc).contains(EXPECTED_CANONICAL).contains(hash);
  }

  @Test
  void aTemplateHashesAsItsBytesDoAtEveryPosition() throws Exception {
    CanonicalForm.Template template =
        CanonicalForm.template(example(), LocalDate.parse("2026-01-31"), Instant.parse("2026-01-31T12:00:00Z"), "token:x");
    for (ChainHasher hasher : List.of(ChainHasher.sha256(), ChainHasher.hmac("k".repeat(32).getBytes(StandardCharsets.UTF_8)))) {
      for (long position : new long[] {1, 9, 10, 4711, Long.MAX_VALUE}) {
        byte[] whole = template.at(position);
        assertThat(new String(whole, StandardCharsets.UTF_8)).contains("\"chain_position\":" + position + ",");
        assertThat(hasher.hash(ChainHasher.GENESIS, template, position))
            .isEqualTo(hasher.hash(ChainHasher.GENESIS, whole));
      }
    }
  }

  @Test
  void topLevelKeysAreInSortedOrder() throws Exception {
    var node = AuditEventJson.mapper().readTree(
        CanonicalForm.of(example(), 7, LocalDate.parse("2026-01-31"), Instant.parse("2026-01-31T12:00:00Z"), "token:gateway"));
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).isSorted();
  }

  @Test
  void theProducerFieldsAreCoveredInSortedPlaceWhenPresentAndAbsentOtherwise() throws Exception {
    UUID epoch = UUID.fromString("01890a5d-0000-7000-8000-000000000001");
    AuditEvent numbered = example().withProducer("orders@host", epoch, 42);
    String canonical = new String(CanonicalForm.of(numbered, 7, LocalDate.parse("2026-01-31"),
        Instant.parse("2026-01-31T12:00:00Z"), "token:gateway"), StandardCharsets.UTF_8);
    assertThat(canonical).contains("\"producer_epoch\":\"" + epoch + "\",\"producer_id\":\"orders@host\",\"producer_seq\":42,");
    List<String> keys = new ArrayList<>();
    AuditEventJson.mapper().readTree(canonical).fieldNames().forEachRemaining(keys::add);
    assertThat(keys).isSorted();
    // Renumbering changes the hash: a producer's sequence cannot be rewritten unseen.
    assertThat(ChainHasher.sha256().hash(ChainHasher.GENESIS, canonical.getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(ChainHasher.sha256().hash(ChainHasher.GENESIS, CanonicalForm.of(example().withProducer("orders@host",
            epoch, 43), 7, LocalDate.parse("2026-01-31"), Instant.parse("2026-01-31T12:00:00Z"), "token:gateway")));
    assertThat(new String(CanonicalForm.of(example(), 1, LocalDate.parse("2026-01-31"),
        Instant.parse("2026-01-31T12:00:00.25Z"), null), StandardCharsets.UTF_8)).doesNotContain("producer");
  }

  @Test
  void theTraceFieldsAreCoveredInSortedPlaceWhenPresentAndAbsentOtherwise() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    AuditEvent traced = example().withTrace(traceId, "00f067aa0ba902b7");
    String canonical = new String(CanonicalForm.of(traced, 7, LocalDate.parse("2026-01-31"),
        Instant.parse("2026-01-31T12:00:00Z"), "token:gateway"), StandardCharsets.UTF_8);
    assertThat(canonical).contains("\"span_id\":\"00f067aa0ba902b7\",\"trace_id\":\"" + traceId + "\",\"version\"");
    List<String> keys = new ArrayList<>();
    AuditEventJson.mapper().readTree(canonical).fieldNames().forEachRemaining(keys::add);
    assertThat(keys).isSorted();
    // Moving an event to another trace changes its hash: the link to the trace cannot be rewritten unseen.
    assertThat(ChainHasher.sha256().hash(ChainHasher.GENESIS, canonical.getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(ChainHasher.sha256().hash(ChainHasher.GENESIS, CanonicalForm.of(
            example().withTrace(traceId, "00f067aa0ba902b8"), 7, LocalDate.parse("2026-01-31"),
            Instant.parse("2026-01-31T12:00:00Z"), "token:gateway")));
    assertThat(new String(CanonicalForm.of(example(), 1, LocalDate.parse("2026-01-31"),
        Instant.parse("2026-01-31T12:00:00.25Z"), null), StandardCharsets.UTF_8)).doesNotContain("trace_id")
        .doesNotContain("span_id");
  }
}
