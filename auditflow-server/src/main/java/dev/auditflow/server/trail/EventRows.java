package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.trail.ChainLinker.Link;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;

/**
 * Linked events as the body of a {@code COPY audit_events … FROM STDIN} in PostgreSQL's text
 * format: one line per event, columns separated by tabs, {@code \N} for null, and backslash,
 * tab, newline and carriage return escaped with a backslash inside values (the four characters
 * the format gives a meaning; every other character stands for itself).
 *
 * <p>Why COPY rather than {@code INSERT … SELECT FROM unnest(arrays)}: the events are known to be
 * new before they are written (the writer checked under the chains' locks), so nothing needs
 * {@code ON CONFLICT}, and COPY is PostgreSQL's cheapest way in — no array literals for the
 * driver to escape, none for the server to parse, no executor plan per statement.
 */
final class EventRows {
  /** The columns in the order {@link #encode} writes them. */
  static final String COLUMNS =
      "event_id, event_date, event_timestamp, received_at, version, event_type, event_category, event_action,"
          + " event_outcome, correlation_id, actor_type, actor_id, resource_type, resource_id, resource_name,"
          + " parent_event_id, namespace, cluster_name, severity, duration_ms, error_code, error_message, event_data,"
          + " retention_days, is_sensitive, chain_position, previous_event_hash, event_hash, hash_algorithm,"
          + " actor_ip, parent_event_date, ingested_by, producer_id, producer_epoch, producer_seq,"
          + " trace_id, span_id";

  static final String COPY = "COPY audit_events (" + COLUMNS + ") FROM STDIN";

  private EventRows() {}

  /**
   * One event's line with its three chain columns (position, previous hash, hash) left open:
   * everything else is encoded before the chains' locks are taken.
   */
  record Row(String before, String after) {}

  /**
   * @param retention gives the event's effective retention
   * @param algorithm the hash algorithm's column value
   */
  static Row prepare(AuditEvent e, LocalDate eventDate, String receivedAt, String ingestedBy, Retention retention,
      String algorithm) {
    StringBuilder before = new StringBuilder(640);
    field(before, e.eventId());
    field(before, eventDate);
    field(before, Timestamps.format(e.eventTimestamp()));
    field(before, receivedAt);
    field(before, e.version());
    field(before, e.eventType());
    field(before, e.eventCategory());
    field(before, e.eventAction());
    field(before, e.eventOutcome().wireName());
    field(before, e.correlationId());
    field(before, e.actorType());
    field(before, e.actorId());
    field(before, e.resourceType());
    field(before, e.resourceId());
    field(before, e.resourceName());
    field(before, e.parentEventId());
    field(before, e.namespace());
    field(before, e.clusterName());
    field(before, e.severity());
    field(before, e.durationMs());
    field(before, e.errorCode());
    field(before, e.errorMessage());
    field(before, e.eventData().toString());
    field(before, retention.effectiveDays(e));
    field(before, e.sensitive() ? "t" : "f");
    StringBuilder after = new StringBuilder(96);
    field(after, algorithm);
    field(after, e.actorIp());
    field(after, e.parentEventDate());
    field(after, ingestedBy);
    field(after, e.producerId());
    field(after, e.producerEpoch());
    field(after, e.producerSeq());
    field(after, e.traceId());
    field(after, e.spanId());
    after.setCharAt(after.length() - 1, '\n');
    return new Row(before.toString(), after.toString());
  }

  /**
   * The COPY body, UTF-8.
   *
   * @param rows each link's prepared row, in the same order
   */
  static byte[] encode(List<Link> links, List<Row> rows) {
    StringBuilder out = new StringBuilder(links.size() * 768);
    for (int i = 0; i < links.size(); i++) {
      Link link = links.get(i);
      out.append(rows.get(i).before());
      field(out, link.position());
      field(out, link.previousHash());
      field(out, link.hash());
      out.append(rows.get(i).after());
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Appends one value and the tab after it (the last tab of a row becomes its newline). */
  private static void field(StringBuilder out, Object value) {
    if (value == null) {
      out.append("\\N\t");
      return;
    }
    String text = value.toString();
    int special = firstSpecial(text);
    if (special < 0) {
      out.append(text).append('\t'); // the common case: one bulk copy
      return;
    }
    out.append(text, 0, special);
    for (int i = special; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(ch);
      }
    }
    out.append('\t');
  }

  private static int firstSpecial(String text) {
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
        return i;
      }
    }
    return -1;
  }
}
