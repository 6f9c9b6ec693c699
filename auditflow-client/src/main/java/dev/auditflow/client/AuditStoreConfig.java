package dev.auditflow.client;

import java.time.Duration;
import java.util.Objects;

/**
 * A validated store configuration. Built by {@link AuditStoreBuilder}; an invalid value is
 * rejected here with a message naming it, never replaced by a default.
 *
 * @param bufferSize events the buffer holds before the overflow policy applies (default 10 000)
 * @param batchSize most events per request; a full batch is sent at once (default 1 000)
 * @param flushInterval the longest an event waits in the buffer before its batch is sent,
 *     measured from that event's own enqueue time (default 1 s)
 * @param overflowPolicy what a full buffer does to {@code store} (default {@link
 *     OverflowPolicy#BLOCK})
 * @param overflowTimeout how long {@link OverflowPolicy#BLOCK} waits for space (default 1 s)
 * @param requestTimeout the most one HTTP attempt may take (default 5 s)
 * @param deliveryTimeout the most an event may take from enqueue to acknowledgement, retries
 *     included; after it the event fails (default 2 min)
 * @param retryPolicy back-off between attempts (default 100 ms × 2ⁿ, cap 10 s, ±20 %)
 * @param maxInFlightBatches batches being sent or retried at once (default 2), so one slow or
 *     failing batch does not hold up the next
 * @param slowWriteThreshold attempts slower than this are logged at WARN (default 2 s)
 * @param schedulerDriftThreshold a flush timer that wakes later than this past its deadline is
 *     logged at WARN (default 250 ms)
 * @param closeTimeout how long {@link AuditStore#close()} drains (default 30 s)
 * @param outcomeResolutionTimeout when delivery ends (delivery timeout, or attempts used up)
 *     after an attempt that may have stored the batch, how long to keep re-sending it to find
 *     out — the server deduplicates, so a re-send answers "stored" either way; if no answer
 *     comes in this time the events end {@link AuditDeliveryException.Reason#OUTCOME_UNKNOWN}
 *     (default 30 s; 0 = do not try)
 */
public record AuditStoreConfig(
    int bufferSize,
    int batchSize,
    Duration flushInterval,
    OverflowPolicy overflowPolicy,
    Duration overflowTimeout,
    Duration requestTimeout,
    Duration deliveryTimeout,
    RetryPolicy retryPolicy,
    int maxInFlightBatches,
    Duration slowWriteThreshold,
    Duration schedulerDriftThreshold,
    Duration closeTimeout,
    Duration outcomeResolutionTimeout) {

  public static final AuditStoreConfig DEFAULTS =
      new AuditStoreConfig(
          10_000,
          1_000,
          Duration.ofSeconds(1),
          OverflowPolicy.BLOCK,
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofMinutes(2),
          RetryPolicy.DEFAULT,
          2,
          Duration.ofSeconds(2),
          Duration.ofMillis(250),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30));

  public AuditStoreConfig {
    requirePositive("bufferSize", bufferSize);
    requirePositive("batchSize", batchSize);
    requirePositive("maxInFlightBatches", maxInFlightBatches);
    if (batchSize > bufferSize) {
      throw new IllegalArgumentException(
          "batchSize (" + batchSize + ") must be <= bufferSize (" + bufferSize
              + "): a batch is taken from the buffer, so a larger one could never fill");
    }
    requirePositive("flushInterval", flushInterval);
    Objects.requireNonNull(overflowPolicy, "overflowPolicy");
    requireNonNegative("overflowTimeout", overflowTimeout);
    requirePositive("requestTimeout", requestTimeout);
    requirePositive("deliveryTimeout", deliveryTimeout);
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    requirePositive("slowWriteThreshold", slowWriteThreshold);
    requirePositive("schedulerDriftThreshold", schedulerDriftThreshold);
    requireNonNegative("closeTimeout", closeTimeout);
    requireNonNegative("outcomeResolutionTimeout", outcomeResolutionTimeout);
    if (requestTimeout.compareTo(deliveryTimeout) > 0) {
      throw new IllegalArgumentException(
          "requestTimeout (" + requestTimeout + ") must be <= deliveryTimeout (" + deliveryTimeout + ")");
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }

  private static void requireNonNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
  }
}
