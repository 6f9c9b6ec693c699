package dev.auditflow.api.completeness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.StrictUuid;
import dev.auditflow.api.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a producer says about its own sequence numbers, as an event in the producer's own chain
 * ({@code producer:<producer_id>:<epoch>}): which numbers it gave up on and why (never the events'
 * content), or that its epoch ended at a number. Stored like any event — chained, in the verifiable
 * log — so a declaration cannot be changed or removed unseen (docs/COMPLETENESS.md).
 *
 * @param reason one of {@link #REASONS}; null for an epoch-closed marker
 * @param ranges the numbers declared, empty for an epoch-closed marker
 * @param closedLastSeq the epoch's last number, for an epoch-closed marker; null otherwise
 */
public record Declaration(String producerId, UUID epoch, String reason, List<SeqRange> ranges, Long closedLastSeq) {
  /** Numbers a producer gave up on. */
  public static final String TYPE_DECLARED = "auditflow.producer.declared";
  /** A producer's epoch ended; no number after {@code last_seq} will come. */
  public static final String TYPE_CLOSED = "auditflow.producer.epoch_closed";
  /** The category of both: the server's own, which only these producer records may use besides it. */
  public static final String CATEGORY = "auditflow";
  /** Each producer epoch's own chain: {@code producer:<producer_id>:<epoch>}. */
  public static final String CHAIN_PREFIX = "producer:";
  /** How stored numbers are accounted; not a reason a producer may declare. */
  public static final String STORED = "stored";
  /**
   * Why numbers were given up: the client's {@code AuditDeliveryException.Reason} names in lower
   * case; {@code spool_corrupt} for records a spool could not read back; {@code unissued} for
   * numbers a crashed store had reserved but never given to an accepted event.
   */
  public static final Set<String> REASONS = Set.of("buffer_full", "rejected", "delivery_timeout", "retries_exhausted",
      "closed_before_delivery", "outcome_unknown", "spool_corrupt", "unissued");
  /** The most ranges one declaration carries; a producer with more sends several. */
  public static final int MAX_RANGES = 1_000;
  /**
   * The request header with which a numbering producer tells the server the highest number its
   * epoch has given so far, events not yet sent included: the epoch of the request's events or
   * declarations. Not part of any event; the server keeps the highest it saw per epoch.
   */
  public static final String ISSUED_HEADER = "Auditflow-Producer-Issued";

  public Declaration {
    ranges = List.copyOf(ranges);
  }

  /** Sequence numbers {@code first..last}, both included. */
  public record SeqRange(long first, long last) {
    public long count() {
      return last - first + 1;
    }
  }

  /** The chain of a producer epoch's declarations. */
  public static String chainOf(String producerId, UUID epoch) {
    return CHAIN_PREFIX + producerId + ":" + epoch;
  }

  /** A declaration of numbers given up for {@code reason}, as the event that carries it. */
  public static AuditEvent declared(String producerId, UUID epoch, String reason, List<SeqRange> ranges, Instant at) {
    ObjectNode data = base(producerId, epoch);
    data.put("reason", reason);
    ArrayNode list = data.putArray("ranges");
    long count = 0;
    for (SeqRange r : ranges) {
      list.addArray().add(r.first()).add(r.last());
      count += r.count();
    }
    data.put("count", count);
    return event(TYPE_DECLARED, "declare", producerId, epoch, data, at);
  }

  /** The marker that ends an epoch at {@code lastSeq} (0 when it numbered nothing). */
  public static AuditEvent closed(String producerId, UUID epoch, long lastSeq, Instant at) {
    ObjectNode data = base(producerId, epoch);
    data.put("last_seq", lastSeq);
    return event(TYPE_CLOSED, "close", producerId, epoch, data, at);
  }

  private static ObjectNode base(String producerId, UUID epoch) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("producer_id", producerId);
    data.put("epoch", epoch.toString());
    return data;
  }

  private static AuditEvent event(String type, String action, String producerId, UUID epoch, ObjectNode data,
      Instant at) {
    return AuditEvent.builder().eventType(type).eventCategory(CATEGORY).eventAction(action)
        .eventOutcome(EventOutcome.SUCCESS).eventTimestamp(at).correlationId(chainOf(producerId, epoch))
        .actorType("service").actorId(producerId).resourceType("producer_epoch").resourceId(epoch.toString())
        .eventData(data).build();
  }

  /** True when the event claims to be a declaration or an epoch-closed marker. */
  public static boolean claims(AuditEvent e) {
    return TYPE_DECLARED.equals(e.eventType()) || TYPE_CLOSED.equals(e.eventType());
  }

  /** What makes a claimed declaration unacceptable, one violation per field; empty when it is well formed. */
  public static List<Violation> violations(AuditEvent e) {
    List<Violation> violations = new ArrayList<>();
    JsonNode data = e.eventData();
    if (!CATEGORY.equals(e.eventCategory())) {
      violations.add(new Violation("event_category", "a producer declaration's category is \"" + CATEGORY + "\""));
    }
    if (e.hasProducer()) {
      violations.add(new Violation("producer_seq", "a producer declaration carries no sequence number of its own"));
    }
    String producerId = text(data, "producer_id");
    UUID epoch = StrictUuid.parse(text(data, "epoch")).orElse(null);
    if (producerId == null || producerId.isBlank() || producerId.length() > dev.auditflow.api.EventValidator.MAX_PRODUCER_ID) {
      violations.add(new Violation("event_data.producer_id", "is required, at most "
          + dev.auditflow.api.EventValidator.MAX_PRODUCER_ID + " characters"));
    }
    if (epoch == null) {
      violations.add(new Violation("event_data.epoch", "is required, a UUID"));
    }
    if (producerId != null && epoch != null && !chainOf(producerId, epoch).equals(e.correlationId())) {
      violations.add(new Violation("correlation_id", "a producer declaration's chain is " + chainOf(producerId, epoch)));
    }
    if (TYPE_CLOSED.equals(e.eventType())) {
      JsonNode last = data == null ? null : data.get("last_seq");
      if (last == null || !last.canConvertToLong() || !last.isIntegralNumber() || last.asLong() < 0) {
        violations.add(new Violation("event_data.last_seq", "is required, an integer >= 0"));
      }
      return violations;
    }
    String reason = text(data, "reason");
    if (reason == null || !REASONS.contains(reason)) {
      violations.add(new Violation("event_data.reason", "is required, one of " + String.join(", ", REASONS.stream().sorted().toList())));
    }
    if (ranges(data).isEmpty()) {
      violations.add(new Violation("event_data.ranges", "is required: 1 to " + MAX_RANGES
          + " pairs [first, last] of sequence numbers, 1 <= first <= last"));
    }
    return violations;
  }

  /** The declaration an event carries; empty when it is none (check {@link #violations} first). */
  public static Optional<Declaration> of(AuditEvent e) {
    if (!claims(e) || !violations(e).isEmpty()) {
      return Optional.empty();
    }
    JsonNode data = e.eventData();
    String producerId = text(data, "producer_id");
    UUID epoch = UUID.fromString(text(data, "epoch"));
    if (TYPE_CLOSED.equals(e.eventType())) {
      return Optional.of(new Declaration(producerId, epoch, null, List.of(), data.get("last_seq").asLong()));
    }
    return Optional.of(new Declaration(producerId, epoch, text(data, "reason"), ranges(data).orElseThrow(), null));
  }

  private static Optional<List<SeqRange>> ranges(JsonNode data) {
    JsonNode list = data == null ? null : data.get("ranges");
    if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_RANGES) {
      return Optional.empty();
    }
    List<SeqRange> ranges = new ArrayList<>(list.size());
    for (JsonNode pair : list) {
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isIntegralNumber() || !pair.get(1).isIntegralNumber()
          || !pair.get(0).canConvertToLong() || !pair.get(1).canConvertToLong()) {
        return Optional.empty();
      }
      long first = pair.get(0).asLong();
      long last = pair.get(1).asLong();
      if (first < 1 || last < first) {
        return Optional.empty();
      }
      ranges.add(new SeqRange(first, last));
    }
    return Optional.of(ranges);
  }

  private static String text(JsonNode data, String field) {
    JsonNode value = data == null ? null : data.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
