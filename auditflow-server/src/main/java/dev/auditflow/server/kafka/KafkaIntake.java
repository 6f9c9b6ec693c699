package dev.auditflow.server.kafka;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.ingest.EventIntake;
import dev.auditflow.server.ingest.IngestService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An ingest node's intake in Kafka mode (docs/SCALE.md): appends each validated event to the
 * replicated ingest log with an idempotent producer and {@code acks=all}, and answers only once
 * Kafka acknowledged every event of the request — so an acknowledged event is on at least {@code
 * min.insync.replicas} brokers. Writers ({@link KafkaWriter}) store it in PostgreSQL.
 */
public final class KafkaIntake implements EventIntake, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaSettings settings;
  private final Counter accepted;
  private final Timer appendDuration;

  private KafkaIntake(KafkaProducer<String, byte[]> producer, KafkaSettings settings, MeterRegistry registry) {
    this.producer = producer;
    this.settings = settings;
    this.accepted = IngestService.events(registry, "accepted");
    this.appendDuration = Timer.builder("auditflow.server.kafka.append.duration")
        .description("From the first append of a request to Kafka's last acknowledgement").publishPercentileHistogram()
        .register(registry);
  }

  public static KafkaIntake open(KafkaSettings settings, MeterRegistry registry) {
    return new KafkaIntake(new KafkaProducer<>(producerConfig(settings)), settings, registry);
  }

  static Map<String, Object> producerConfig(KafkaSettings settings) {
    int timeoutMs = (int) settings.produceTimeout().toMillis();
    Map<String, Object> config = settings.clientConfig("auditflow-ingest");
    // Durable before the answer: every in-sync replica has it; retries never duplicate or reorder.
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + 1);
    // Tuning --kafka-config may change. A request's events leave together; concurrent requests
    // share the broker round trip.
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 15_000));
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  @Override
  public Stored take(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    long start = System.nanoTime();
    long deadline = start + settings.produceTimeout().toNanos();
    List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
    try {
      for (AuditEvent e : events) {
        acks.add(producer.send(IngestRecords.of(settings.topic(), e, ingestedBy, producerIssued)));
      }
    } catch (KafkaException e) {
      throw new IngestLogUnavailableException(acks.size() + " of " + events.size() + " events were handed to Kafka"
          + " before it refused one (" + e.getMessage() + ")", e);
    }
    int unacknowledged = 0;
    Throwable first = null;
    for (Future<RecordMetadata> ack : acks) {
      try {
        ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        unacknowledged++;
        first = first == null ? e.getCause() : first;
      } catch (TimeoutException e) {
        unacknowledged++;
        first = first == null ? e : first;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IngestLogUnavailableException("interrupted while waiting for Kafka", e);
      }
    }
    if (unacknowledged > 0) {
      throw new IngestLogUnavailableException(unacknowledged + " of " + events.size() + " events were not acknowledged"
          + " within " + settings.produceTimeout().toMillis() + " ms (" + first + ")", first);
    }
    appendDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    accepted.increment(events.size());
    return new Stored(events, 0, 0, Disposition.ACCEPTED);
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
