package dev.auditflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.api.completeness.NumberRanges;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The producers' accounts of an export's own events (docs/COMPLETENESS.md): for each producer
 * epoch among them, which of its numbers the export holds, which it declares given up, and the
 * gaps. The server signs it into the manifest; {@code verify-export} recomputes it from the lines
 * and compares — so an auditor needs neither the server nor its accounts to see, from the export
 * alone, what a producer emitted and what of it is there. {@code auditflow log verify --audit
 * --completeness} computes the same from the verifiable log's entries, once they hash to its
 * signed root.
 */
public final class ExportCompleteness {
  /** One epoch's numbers as the export shows them: first → last, merged as they come. */
  private static final class Epoch {
    final NumberRanges stored = new NumberRanges();
    final Map<String, NumberRanges> declared = new TreeMap<>();
    long highest;
    Long closedLastSeq;
  }

  private final Map<String, Map<String, Epoch>> producers = new TreeMap<>();

  /** Takes one exported event (its JSON as the export carries it). */
  public void add(JsonNode event) {
    AuditEvent e = AuditEventJson.read(event).event();
    if (e == null) {
      return;
    }
    if (e.producerId() != null && e.producerEpoch() != null && e.producerSeq() != null) {
      Epoch epoch = epoch(e.producerId(), e.producerEpoch().toString());
      epoch.stored.add(e.producerSeq(), e.producerSeq());
      epoch.highest = Math.max(epoch.highest, e.producerSeq());
      return;
    }
    Declaration.of(e).ifPresent(d -> {
      Epoch epoch = epoch(d.producerId(), d.epoch().toString());
      if (d.closedLastSeq() != null) {
        epoch.closedLastSeq = d.closedLastSeq();
        epoch.highest = Math.max(epoch.highest, d.closedLastSeq());
      }
      for (Declaration.SeqRange r : d.ranges()) {
        epoch.declared.computeIfAbsent(d.reason(), k -> new NumberRanges()).add(r.first(), r.last());
        epoch.highest = Math.max(epoch.highest, r.last());
      }
    });
  }

  private Epoch epoch(String producerId, String epoch) {
    return producers.computeIfAbsent(producerId, p -> new TreeMap<>()).computeIfAbsent(epoch, k -> new Epoch());
  }

  public boolean isEmpty() {
    return producers.isEmpty();
  }

  /**
   * The accounts as the manifest holds them: per epoch, in producer and epoch order, {@code
   * producer_id}, {@code epoch}, {@code last_seq}, {@code closed}, {@code stored}, {@code declared}
   * (by reason) and {@code gaps} ({@code [first, last]} pairs).
   */
  public ArrayNode toJson() {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    producers.forEach((producerId, epochs) -> epochs.forEach((epochId, e) -> {
      long end = e.closedLastSeq != null ? e.closedLastSeq : e.highest;
      Map<String, List<SequenceAccounts.Range>> declared = new TreeMap<>();
      e.declared.forEach((reason, ranges) -> declared.put(reason, ranges(ranges)));
      SequenceAccounts.Summary summary = SequenceAccounts.of(ranges(e.stored), declared, end);
      ObjectNode json = all.addObject();
      json.put("producer_id", producerId);
      json.put("epoch", epochId);
      json.put("last_seq", end);
      json.put("closed", e.closedLastSeq != null);
      json.put("stored", summary.stored());
      ObjectNode byReason = json.putObject("declared");
      summary.declared().forEach(byReason::put);
      ArrayNode gaps = json.putArray("gaps");
      summary.gaps().forEach(g -> gaps.addArray().add(g.first()).add(g.last()));
    }));
    return all;
  }

  private static List<SequenceAccounts.Range> ranges(NumberRanges numbers) {
    return numbers.ranges().stream().map(r -> new SequenceAccounts.Range(r.first(), r.last())).toList();
  }
}
