package dev.auditflow.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.ParsedEvent;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.StableEventIds;
import dev.auditflow.api.Violation;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.failure.ProblemReason;
import dev.auditflow.server.failure.RequestRefusedException;
import dev.auditflow.server.ingest.EventIntake.Stored;
import dev.auditflow.server.trail.ServerVocabulary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Validates events and hands them to the {@link EventIntake}. A request is validated whole before
 * any of it is taken, and taken whole: all of it or none.
 */
public final class IngestService {
  private final EventValidator validator;
  private final EventIntake intake;
  private final int maxBatchSize;
  private final Counter rejected;
  private final DistributionSummary batchSizes;

  public IngestService(EventValidator validator, EventIntake intake, int maxBatchSize, MeterRegistry registry) {
    this.validator = validator;
    this.intake = intake;
    this.maxBatchSize = maxBatchSize;
    this.rejected = events(registry, "rejected");
    this.batchSizes = DistributionSummary.builder("auditflow.server.batch.size")
        .description("Events per ingest request").baseUnit("events").register(registry);
  }

  /** The counter of events received with one result; one meter name for every intake. */
  public static Counter events(MeterRegistry registry, String result) {
    return Counter.builder("auditflow.server.events").description("Events received, by result")
        .tag("result", result).register(registry);
  }

  /**
   * Validates one event, or throws the validation problem listing every violation.
   *
   * @param ingestedBy the authenticated principal submitting it, recorded with the event
   */
  public Stored storeOne(JsonNode json, String ingestedBy) {
    ParsedEvent parsed = validate(json);
    if (!parsed.isValid()) {
      rejected.increment();
      throw RequestRefusedException.validation("the event is invalid", parsed.violations());
    }
    return store(List.of(parsed.event()), ingestedBy, 0);
  }

  /** The validator's rules, and the names only the server may write under ({@link ServerVocabulary}). */
  private ParsedEvent validate(JsonNode json) {
    ParsedEvent parsed = validator.validate(json);
    if (parsed.event() == null) {
      return parsed;
    }
    List<Violation> reserved = ServerVocabulary.reservedNames(parsed.event());
    if (reserved.isEmpty()) {
      return parsed;
    }
    List<Violation> all = new ArrayList<>(parsed.violations());
    all.addAll(reserved);
    return new ParsedEvent(parsed.event(), all);
  }

  /**
   * Validates every event of a batch, or throws one problem listing the violations of each bad index.
   *
   * @param issued the producer's issued mark for the one epoch the batch belongs to
   *     (docs/COMPLETENESS.md), 0 for none
   */
  public Stored storeBatch(JsonNode json, String ingestedBy, long issued) {
    if (json.isNull()) {
      // As Go decodes it into a slice: no events.
      json = AuditEventJson.mapper().createArrayNode();
    }
    if (!json.isArray()) {
      String kind = json.getNodeType().name().toLowerCase(Locale.ROOT);
      throw RequestRefusedException.validation("request body must be a JSON array, not a single " + kind,
          List.of(new Violation("$", "must be a JSON array, was " + kind))).because(ProblemReason.NOT_AN_ARRAY);
    }
    if (json.isEmpty()) {
      throw RequestRefusedException.validation("batch cannot be empty",
          List.of(new Violation("$", "must contain 1.." + maxBatchSize + " events, was empty")))
          .because(ProblemReason.EMPTY_BATCH);
    }
    if (json.size() > maxBatchSize) {
      throw RequestRefusedException.of(ProblemType.PAYLOAD_TOO_LARGE, "batch size " + json.size()
          + " exceeds maximum allowed batch size of " + maxBatchSize + "; split it").because(ProblemReason.BATCH_TOO_LARGE);
    }
    List<AuditEvent> events = new ArrayList<>(json.size());
    List<Violation> violations = new ArrayList<>();
    Twins twins = new Twins();
    int badEvents = 0;
    for (int i = 0; i < json.size(); i++) {
      ParsedEvent parsed = validate(json.get(i));
      if (parsed.isValid()) {
        AuditEvent event = parsed.event();
        events.add(AuditEventJson.idIsDerived(json.get(i)) ? twins.distinct(event) : event);
      } else {
        badEvents++;
        for (Violation v : parsed.violations()) {
          violations.add(v.atIndex(i));
        }
      }
    }
    if (!violations.isEmpty()) {
      rejected.increment(json.size());
      throw RequestRefusedException.validation(
          badEvents + " of " + json.size() + " events are invalid; nothing was stored", violations);
    }
    if (issued > 0) {
      requireOneEpoch(events);
    }
    return store(events, ingestedBy, issued);
  }

  /** An issued mark names no epoch itself: it is the epoch of the request's numbered events and declarations. */
  private static void requireOneEpoch(List<AuditEvent> events) {
    Set<String> epochs = new TreeSet<>();
    for (AuditEvent e : events) {
      if (e.hasProducer()) {
        epochs.add(e.producerId() + " " + e.producerEpoch());
      } else {
        Declaration.of(e).ifPresent(d -> epochs.add(d.producerId() + " " + d.epoch()));
      }
    }
    if (epochs.size() != 1) {
      throw RequestRefusedException.validation(Declaration.ISSUED_HEADER + " applies to one producer epoch",
          List.of(new Violation(Declaration.ISSUED_HEADER, "the batch must carry numbered events or declarations of"
              + " exactly one producer epoch; it has " + epochs.size())));
    }
  }

  /**
   * What {@link #storeEach} did: the events stored — null when none was valid — and, by request
   * position, the violations of each event refused.
   */
  public record EachStored(Stored stored, SortedMap<Integer, List<Violation>> refused) {}

  /**
   * Stores the valid events of a request whose items stand alone, refusing each invalid one on its
   * own (OTLP's partial success: one bad record must not lose the others). The valid ones are taken
   * together, all or none, as a batch is. Every event's id is derived from its content, so a
   * resent request stores nothing twice; identical events in one request stay distinct.
   *
   * @param candidates in request order; one whose {@code event} is null was refused before it became
   *     an event (its violations say why)
   */
  public EachStored storeEach(List<ParsedEvent> candidates, String ingestedBy) {
    if (candidates.size() > maxBatchSize) {
      throw RequestRefusedException.of(ProblemType.PAYLOAD_TOO_LARGE, candidates.size()
          + " records exceed the maximum batch size of " + maxBatchSize + "; send smaller batches")
          .because(ProblemReason.BATCH_TOO_LARGE);
    }
    List<AuditEvent> valid = new ArrayList<>(candidates.size());
    SortedMap<Integer, List<Violation>> refused = new TreeMap<>();
    Twins twins = new Twins();
    for (int i = 0; i < candidates.size(); i++) {
      ParsedEvent candidate = candidates.get(i);
      List<Violation> violations = new ArrayList<>(candidate.violations());
      if (candidate.event() != null) {
        violations.addAll(validator.validate(candidate.event()));
        violations.addAll(ServerVocabulary.reservedNames(candidate.event()));
      }
      if (violations.isEmpty()) {
        valid.add(twins.distinct(candidate.event()));
      } else {
        refused.put(i, List.copyOf(violations));
      }
    }
    rejected.increment(refused.size());
    return new EachStored(valid.isEmpty() ? null : store(valid, ingestedBy, 0), refused);
  }

  /**
   * Identical events in one request are distinct events (a retry resends them all, so they cannot
   * be duplicates of each other): each repeat of a derived id gets the next occurrence's id.
   */
  private static final class Twins {
    private final Map<UUID, Integer> seen = new HashMap<>();

    AuditEvent distinct(AuditEvent event) {
      int occurrence = seen.merge(event.eventId(), 1, Integer::sum) - 1;
      return occurrence == 0 ? event : event.toBuilder().eventId(StableEventIds.derive(event, occurrence)).build();
    }
  }

  private Stored store(List<AuditEvent> events, String ingestedBy, long issued) {
    batchSizes.record(events.size());
    return intake.take(events, ingestedBy, issued);
  }
}
