package dev.auditflow.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.CanonicalJson;
import dev.auditflow.api.ParsedEvent;
import dev.auditflow.api.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * The bytes an event's hash covers: one line of JSON, object keys sorted by UTF-16 code unit (as in
 * RFC 8785) at every level, no whitespace, numbers as plain decimals without trailing zeros, timestamps in
 * auditflow's UTC microsecond form, absent optional fields omitted. Defined precisely in
 * docs/CHAIN.md, so an auditor can recompute it from the stored row alone.
 *
 * <p>{@code retention_days} is excluded on purpose: it is policy, which a retention change or a
 * legal hold may extend after the fact. The chain fields are excluded because they are the output.
 */
public final class CanonicalForm {
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private CanonicalForm() {}

  /**
   * An event's canonical form with its chain position left open: the bytes before the position's
   * decimal digits and the bytes after them. The position is the only part that depends on the
   * chain, so the rest can be built before the chain's lock is taken.
   */
  public record Template(byte[] before, byte[] after) {
    /** The canonical bytes at {@code position}. */
    public byte[] at(long position) {
      byte[] digits = digits(position);
      byte[] whole = Arrays.copyOf(before, before.length + digits.length + after.length);
      System.arraycopy(digits, 0, whole, before.length, digits.length);
      System.arraycopy(after, 0, whole, before.length + digits.length, after.length);
      return whole;
    }

    /** The canonical bytes at {@code position} in three parts, for hashing without copying them together. */
    public byte[][] parts(long position) {
      return new byte[][] {before, digits(position), after};
    }

    /** A position as the canonical form writes it: plain decimal ASCII. */
    static byte[] digits(long position) {
      return Long.toString(position).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /**
   * The canonical bytes of an event as an export or the log's entries carry it (the API's form
   * with defaulted fields stored as none written as {@code ""}), server fields included.
   *
   * @throws IllegalArgumentException when the JSON cannot be read back as an event
   */
  public static byte[] ofExported(JsonNode event) {
    ParsedEvent parsed = AuditEventJson.read(event);
    if (parsed.event() == null) {
      throw new IllegalArgumentException("it cannot be read as an event: " + parsed.violations());
    }
    return of(parsed.event(), event.path("chain_position").asLong(), LocalDate.parse(event.path("event_date").asText()),
        Timestamps.parse(event.path("received_at").asText()),
        event.hasNonNull("ingested_by") ? event.get("ingested_by").asText() : null);
  }

  /**
   * The canonical bytes of an event at a chain position.
   *
   * @param ingestedBy the principal that submitted it, or null (rows stored before authentication)
   */
  public static byte[] of(AuditEvent e, long chainPosition, LocalDate eventDate, Instant receivedAt,
      String ingestedBy) {
    return template(e, eventDate, receivedAt, ingestedBy).at(chainPosition);
  }

  /**
   * The canonical form of an event with its position open. Written field by field in sorted key
   * order (CanonicalFormTest checks that it stays so), straight to bytes: this runs for every
   * event stored and every event verified.
   */
  public static Template template(AuditEvent e, LocalDate eventDate, Instant receivedAt, String ingestedBy) {
    ByteArrayBuilder bytes = new ByteArrayBuilder(512);
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      text(g, "actor_id", e.actorId());
      text(g, "actor_ip", e.actorIp());
      text(g, "actor_type", e.actorType());
      g.writeNumberField("chain_position", 0);
      text(g, "cluster_name", e.clusterName());
      text(g, "correlation_id", e.correlationId());
      if (e.durationMs() != null) {
        g.writeNumberField("duration_ms", e.durationMs());
      }
      text(g, "error_code", e.errorCode());
      text(g, "error_message", e.errorMessage());
      text(g, "event_action", e.eventAction());
      text(g, "event_category", e.eventCategory());
      g.writeFieldName("event_data");
      CanonicalJson.write(g, e.eventData());
      text(g, "event_date", eventDate.toString());
      text(g, "event_id", e.eventId().toString());
      text(g, "event_outcome", e.eventOutcome().wireName());
      text(g, "event_timestamp", Timestamps.format(e.eventTimestamp()));
      text(g, "event_type", e.eventType());
      text(g, "ingested_by", ingestedBy);
      g.writeBooleanField("is_sensitive", e.sensitive());
      text(g, "namespace", e.namespace());
      text(g, "parent_event_date", e.parentEventDate() == null ? null : e.parentEventDate().toString());
      text(g, "parent_event_id", e.parentEventId() == null ? null : e.parentEventId().toString());
      // The producer's numbering, only when the event carries it: the canonical form of an event
      // without it is what it was before the fields existed, so older chains verify unchanged.
      text(g, "producer_epoch", e.producerEpoch() == null ? null : e.producerEpoch().toString());
      text(g, "producer_id", e.producerId());
      if (e.producerSeq() != null) {
        g.writeNumberField("producer_seq", e.producerSeq());
      }
      text(g, "received_at", Timestamps.format(receivedAt));
      text(g, "resource_id", e.resourceId());
      text(g, "resource_name", e.resourceName());
      text(g, "resource_type", e.resourceType());
      text(g, "severity", e.severity());
      // Trace context, only when the event carries it: as with the producer fields, an event
      // without it has the canonical form it had before the fields existed.
      text(g, "span_id", e.spanId());
      text(g, "trace_id", e.traceId());
      text(g, "version", e.version());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException("writing to memory cannot fail", ex);
    }
    byte[] whole = bytes.toByteArray();
    // The placeholder 0 follows the first "chain_position": — the first, because only the
    // actor fields precede it, and a string value cannot hold an unescaped quote.
    int digit = indexOf(whole, POSITION_KEY) + POSITION_KEY.length;
    return new Template(Arrays.copyOfRange(whole, 0, digit), Arrays.copyOfRange(whole, digit + 1, whole.length));
  }

  private static final byte[] POSITION_KEY = "\"chain_position\":".getBytes(StandardCharsets.US_ASCII);

  private static int indexOf(byte[] bytes, byte[] key) {
    outer:
    for (int i = 0; i + key.length <= bytes.length; i++) {
      for (int j = 0; j < key.length; j++) {
        if (bytes[i + j] != key[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("the canonical form always holds chain_position");
  }

  /** Absent optional fields are omitted, not written as null. */
  private static void text(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
