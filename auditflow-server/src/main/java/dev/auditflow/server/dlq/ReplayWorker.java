package dev.auditflow.server.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.ParsedEvent;
import dev.auditflow.server.db.DatabaseUnavailableException;
import dev.auditflow.server.db.OutcomeUnknownException;
import dev.auditflow.server.runtime.ServerRuntime;
import dev.auditflow.server.trail.AuditTrail;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued events from the dead-letter queue into PostgreSQL once it takes writes again.
 * Started and stopped with the server (lesson 6 in docs/ARCHITECTURE.md: the old replay worker was never started).
 *
 * <p>Each entry is inserted with the same idempotent, chain-linking write path as live ingest, so
 * replaying an entry twice — or replaying events the client also retried — stores each event
 * once; the entry is acknowledged only after the commit. An entry that fails for a reason other
 * than an unavailable database is retried up to {@code maxAttempts} times, then moved to the
 * dead stream, logged and counted.
 */
public final class ReplayWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplayWorker.class);
  private static final Duration IDLE_BLOCK = Duration.ofSeconds(1);
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final DeadLetterQueue queue;
  private final AuditTrail trail;
  private final BooleanSupplier databaseReachable;
  private final int maxAttempts;
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
  private final Counter replayed;
  private final Counter deadLettered;
  private final AtomicLong depth = new AtomicLong();
  private ServerRuntime.Loop loop;
  private volatile boolean running = true;
  private volatile boolean draining;

  /**
   * @param databaseReachable whether the database takes writes now ({@code Database::isReachable}):
   *     while it does not, entries stay queued and nothing is read
   */
  public ReplayWorker(DeadLetterQueue queue, AuditTrail trail, BooleanSupplier databaseReachable, int maxAttempts,
      MeterRegistry registry) {
    this.queue = queue;
    this.trail = trail;
    this.databaseReachable = databaseReachable;
    this.maxAttempts = maxAttempts;
    this.replayed = Counter.builder("auditflow.dlq.replayed").description("Events replayed from the DLQ into the database (duplicates of stored events included)")
        .baseUnit("events").register(registry);
    this.deadLettered = Counter.builder("auditflow.dlq.dead.lettered")
        .description("DLQ entries given up on after the maximum attempts").register(registry);
    Gauge.builder("auditflow.dlq.depth", depth, AtomicLong::get).description("Entries waiting in the DLQ")
        .register(registry);
  }

  public void start(ServerRuntime runtime) {
    loop = runtime.loop("dlq-replay", Duration.ZERO, this::round);
    log.info("dlq replay worker started max_attempts={}", maxAttempts);
  }

  public boolean isRunning() {
    return loop != null && running;
  }

  public double replayedCount() {
    return replayed.count();
  }

  /** One round of replay; the wait before the next. */
  private Duration round() {
    try {
      refreshDepth();
      if (!databaseReachable.getAsBoolean()) {
        return BACKOFF;
      }
      Batch pending = replay(queue.readPending(50));
      if (pending == Batch.EMPTY && running) {
        // Blocks up to IDLE_BLOCK for new entries: the loop's wait while the queue is empty.
        return replay(queue.readNew(50, IDLE_BLOCK)) == Batch.PAUSED ? BACKOFF : Duration.ZERO;
      }
      return pending == Batch.PAUSED ? BACKOFF : Duration.ZERO;
    } catch (DeadLetterQueueUnavailableException e) {
      // Not connected yet, or Redis is down: the connector and Lettuce are reconnecting.
      return BACKOFF;
    } catch (RedisException e) {
      if (running) {
        log.warn("dlq unreachable error=\"{}\"", e.getMessage());
      }
      return BACKOFF;
    } catch (RuntimeException e) {
      log.error("dlq replay loop error", e);
      return BACKOFF;
    }
  }

  /** What replaying a batch of entries came to. */
  private enum Batch {
    /** There was nothing to replay. */
    EMPTY,
    /** Every entry was replayed, or given another attempt, or dead-lettered. */
    DONE,
    /** The database became unavailable: the rest waits for the next round. */
    PAUSED
  }

  private void refreshDepth() {
    depth.set(queue.depth());
  }

  /** Replays the messages in order; false if there were none. Stops at a database outage. */
  private Batch replay(List<StreamMessage<String, String>> messages) {
    if (messages == null || messages.isEmpty()) {
      return Batch.EMPTY;
    }
    for (StreamMessage<String, String> m : messages) {
      if (!running && !draining) {
        return Batch.DONE;
      }
      try {
        List<AuditEvent> events = parse(m);
        String issued = m.getBody().get(DeadLetterQueue.PRODUCER_ISSUED);
        trail.append(events, m.getBody().get(DeadLetterQueue.INGESTED_BY), issued == null ? 0 : Long.parseLong(issued));
        queue.acknowledge(m.getId());
        attempts.remove(m.getId());
        replayed.increment(events.size());
        log.info("dlq entry replayed id={} events={}", m.getId(), events.size());
      } catch (DatabaseUnavailableException | OutcomeUnknownException e) {
        // Not the entry's fault. If the commit's outcome is unknown the entry stays and is
        // replayed again: the write is idempotent, so it is stored once either way.
        log.info("dlq replay paused: database unavailable error=\"{}\"", e.getMessage());
        return Batch.PAUSED;
      } catch (RuntimeException | IOException e) {
        int n = attempts.merge(m.getId(), 1, Integer::sum);
        if (n >= maxAttempts) {
          queue.deadLetter(m, e.getMessage(), n);
          attempts.remove(m.getId());
          deadLettered.increment();
          log.error("dlq entry dead-lettered id={} attempts={} reason=\"{}\"", m.getId(), n, e.getMessage());
        } else {
          log.warn("dlq entry failed id={} attempt={} of {} reason=\"{}\"", m.getId(), n, maxAttempts, e.getMessage());
        }
      }
    }
    return Batch.DONE;
  }

  /** Every field back, exactly as queued; an entry that does not read as valid events is poison. */
  static List<AuditEvent> parse(StreamMessage<String, String> m) throws IOException {
    String json = m.getBody().get("events");
    if (json == null) {
      throw new IOException("entry has no events field");
    }
    JsonNode array = AuditEventJson.mapper().readTree(json);
    if (!array.isArray() || array.isEmpty()) {
      throw new IOException("entry's events are not a non-empty JSON array");
    }
    List<AuditEvent> events = new ArrayList<>(array.size());
    for (JsonNode node : array) {
      ParsedEvent parsed = AuditEventJson.read(node);
      if (parsed.event() == null || !parsed.violations().isEmpty()) {
        throw new IOException("entry holds an unreadable event: " + parsed.violations());
      }
      events.add(parsed.event());
    }
    return events;
  }

  /**
   * Replays until the queue is empty, the database is unreachable, or the timeout passes — for a
   * graceful stop. Called after the loop is stopped. True if the queue is empty.
   */
  public boolean drain(Duration timeout) {
    stopLoop();
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline && databaseReachable.getAsBoolean()) {
        Batch pending = replay(queue.readPending(50));
        Batch fresh = replay(queue.readNew(50, Duration.ofMillis(100)));
        if (pending == Batch.EMPTY && fresh == Batch.EMPTY) {
          return queue.depth() == 0;
        }
        if (pending == Batch.PAUSED || fresh == Batch.PAUSED) {
          // Shutting down, on the closing thread: wait a moment for the database, within the drain's deadline.
          Thread.sleep(Math.min(BACKOFF.toMillis(), Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        }
      }
      return queue.depth() == 0;
    } catch (RedisException | DeadLetterQueueUnavailableException e) {
      log.warn("dlq not drained: redis unreachable error=\"{}\"", e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      draining = false;
    }
  }

  private void stopLoop() {
    running = false;
    if (loop != null) {
      loop.close();
    }
  }

  @Override
  public void close() {
    stopLoop();
  }
}
