package dev.auditflow.server.ingest;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.chain.ChainLinker.Link;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
          + " actor_ip, parent_event_date, ingested_by";

  static final String COPY = "COPY audit_events (" + COLUMNS + ") FROM STDIN";

  private EventRows() {}

  /**
   * @param retention gives each event's effective retention
   * @param algorithm the hash algorithm's column value
   * @return the COPY body, UTF-8
   */
  static byte[] encode(List<Link> links, Instant receivedAt, String ingestedBy, Retention retention, String algorithm) {
    String received = Timestamps.format(receivedAt);
    StringBuilder out = new StringBuilder(links.size() * 768);
    for (Link link : links) {
      AuditEvent e = link.event();
      field(out, e.eventId());
      field(out, link.eventDate());
      field(out, Timestamps.format(e.eventTimestamp()));
      field(out, received);
      field(out, e.version());
      field(out, e.eventType());
      field(out, e.eventCategory());
      field(out, e.eventAction());
      field(out, e.eventOutcome().wireName());
      field(out, e.correlationId());
      field(out, e.actorType());
      field(out, e.actorId());
      field(out, e.resourceType());
      field(out, e.resourceId());
      field(out, e.resourceName());
      field(out, e.parentEventId());
      field(out, e.namespace());
      field(out, e.clusterName());
      field(out, e.severity());
      field(out, e.durationMs());
      field(out, e.errorCode());
      field(out, e.errorMessage());
      field(out, e.eventData().toString());
      field(out, retention.effectiveDays(e));
      field(out, e.sensitive() ? "t" : "f");
      field(out, link.position());
      field(out, link.previousHash());
      field(out, link.hash());
      field(out, algorithm);
      field(out, e.actorIp());
      field(out, e.parentEventDate());
      field(out, ingestedBy);
      out.setCharAt(out.length() - 1, '\n');
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
