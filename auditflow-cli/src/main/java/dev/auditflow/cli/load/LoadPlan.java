package dev.auditflow.cli.load;

import dev.auditflow.cli.ApiClient;
import dev.auditflow.client.OverflowPolicy;
import java.time.Duration;

/**
 * What a load run does.
 *
 * @param server where to send (and, with {@code verify}, count) the events, with its credentials
 * @param eventsPerThread events each thread emits; ignored when {@code duration} is set
 * @param ratePerSecond total events per second over all threads; 0 = as fast as possible (burst)
 * @param duration run for this long instead of a fixed count; null for a count
 * @param payloadBytes approximate size of each event's {@code event_data}
 * @param requestTimeout the client's limit for one HTTP attempt
 * @param deliveryTimeout the client's limit from enqueue to acknowledgement, retries included
 * @param verifyWait with {@code verify}, how long to wait for every acknowledged event to become
 *     queryable (Kafka mode stores events after it answers); counting stops as soon as they are
 */
public record LoadPlan(
    ApiClient server,
    int threads,
    int eventsPerThread,
    double ratePerSecond,
    Duration duration,
    int bufferSize,
    int batchSize,
    Duration flushInterval,
    OverflowPolicy overflow,
    Duration overflowTimeout,
    int payloadBytes,
    Duration requestTimeout,
    Duration deliveryTimeout,
    boolean verify,
    Duration verifyWait) {

  public LoadPlan {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1");
    }
    if (duration == null && eventsPerThread < 1) {
      throw new IllegalArgumentException("--events-per-thread must be >= 1");
    }
    if (ratePerSecond < 0) {
      throw new IllegalArgumentException("--rate must be >= 0");
    }
  }

  /** Events the run will attempt, or -1 when it runs for a duration. */
  public long plannedEvents() {
    return duration == null ? (long) threads * eventsPerThread : -1;
  }
}
