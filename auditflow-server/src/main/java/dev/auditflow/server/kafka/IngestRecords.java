package dev.auditflow.server.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.ParsedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One event as a Kafka record (docs/SCALE.md): keyed by its correlation id, so that a chain's
 * events share a partition and keep their order; the value is the event's JSON as the API reads
 * it; headers carry who submitted it and the producer's issued mark, which the writer stores with
 * it exactly as the direct path does.
 */
final class IngestRecords {
  static final String INGESTED_BY = "auditflow-ingested-by";
  static final String PRODUCER_ISSUED = "auditflow-producer-issued";

  /** An event as a writer reads it back. */
  record Submitted(AuditEvent event, String ingestedBy, long producerIssued) {}

  private IngestRecords() {}

  static ProducerRecord<String, byte[]> of(String topic, AuditEvent event, String ingestedBy, long producerIssued) {
    byte[] value;
    try {
      value = AuditEventJson.mapper().writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a validated event is always serialisable", e);
    }
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.correlationId(), value);
    if (ingestedBy != null) {
      record.headers().add(INGESTED_BY, ingestedBy.getBytes(StandardCharsets.UTF_8));
    }
    if (producerIssued > 0) {
      record.headers().add(PRODUCER_ISSUED, Long.toString(producerIssued).getBytes(StandardCharsets.US_ASCII));
    }
    return record;
  }

  /**
   * The event a record carries.
   *
   * @throws IllegalArgumentException when the record is not one an ingest node wrote (a poison record)
   */
  static Submitted read(ConsumerRecord<String, byte[]> record) {
    ParsedEvent parsed;
    try {
      parsed = AuditEventJson.read(AuditEventJson.mapper().readTree(record.value()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an event's JSON: " + e.getMessage(), e);
    }
    if (parsed.event() == null || !parsed.violations().isEmpty()) {
      throw new IllegalArgumentException("not a readable event: " + parsed.violations());
    }
    Header by = record.headers().lastHeader(INGESTED_BY);
    Header issued = record.headers().lastHeader(PRODUCER_ISSUED);
    try {
      return new Submitted(parsed.event(), by == null ? null : new String(by.value(), StandardCharsets.UTF_8),
          issued == null ? 0 : Long.parseLong(new String(issued.value(), StandardCharsets.US_ASCII)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a malformed " + PRODUCER_ISSUED + " header", e);
    }
  }
}
