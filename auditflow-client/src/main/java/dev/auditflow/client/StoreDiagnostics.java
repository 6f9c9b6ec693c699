package dev.auditflow.client;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the store says about itself in its log ({@code dev.auditflow.client.AuditStore},
 * key=value): why a batch was late, a timer that woke late, slow and failed attempts, drops,
 * losses. Called only outside the store's locks.
 */
final class StoreDiagnostics {
  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);
  private static final long DROP_WARNING_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final AuditStoreConfig config;
  private final StoreMetrics metrics;
  private final RateLimitedWarning dropWarning =
      new RateLimitedWarning(log, "audit events dropped: buffer full", DROP_WARNING_PERIOD_NANOS);

  StoreDiagnostics(AuditStoreConfig config, StoreMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  void started(BatchTransport transport) {
    log.info(
        "audit store started buffer_size={} batch_size={} flush_interval_ms={} overflow={} overflow_timeout_ms={}"
            + " request_timeout_ms={} delivery_timeout_ms={} max_in_flight_batches={} max_attempts={}"
            + " backoff_initial_ms={} backoff_max_ms={} jitter={} outcome_resolution_timeout_ms={} transport={}",
        config.bufferSize(), config.batchSize(), config.flushInterval().toMillis(),
        config.overflowPolicy(), config.overflowTimeout().toMillis(), config.requestTimeout().toMillis(),
        config.deliveryTimeout().toMillis(), config.maxInFlightBatches(), config.retryPolicy().maxAttempts(),
        config.retryPolicy().initialBackoff().toMillis(), config.retryPolicy().maxBackoff().toMillis(),
        config.retryPolicy().jitter(), config.outcomeResolutionTimeout().toMillis(), transport);
  }

  void dispatched(Dispatch d) {
    long flushIntervalNanos = config.flushInterval().toNanos();
    if (d.oldestAgeNanos() > 2 * flushIntervalNanos) {
      log.warn(
          "flush lag oldest_event_age_ms={} flush_interval_ms={} trigger={} batch_size={} queue_depth={} cause={}",
          TimeUnit.NANOSECONDS.toMillis(d.oldestAgeNanos()), config.flushInterval().toMillis(),
          d.batch().trigger.label(), d.batch().size(), d.queueDepthAfter(), lagCause(d));
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "batch dispatched trigger={} batch_size={} queue_depth={} oldest_event_age_ms={} waited_for_sender_ms={}",
          d.batch().trigger.label(), d.batch().size(), d.queueDepthAfter(),
          TimeUnit.NANOSECONDS.toMillis(d.oldestAgeNanos()), TimeUnit.NANOSECONDS.toMillis(d.waitedForSenderNanos()));
    }
  }

  private String lagCause(Dispatch d) {
    if (d.waitedForSenderNanos() > 0) {
      return "all " + config.maxInFlightBatches() + " senders busy for "
          + TimeUnit.NANOSECONDS.toMillis(d.waitedForSenderNanos()) + " ms (slow writes or retries in flight)";
    }
    if (d.lastDriftNanos() > config.schedulerDriftThreshold().toNanos()) {
      return "scheduler woke " + TimeUnit.NANOSECONDS.toMillis(d.lastDriftNanos()) + " ms late";
    }
    return "dispatcher delayed (CPU starvation)";
  }

  void drift(long driftNanos) {
    metrics.schedulerDrift(driftNanos);
    if (driftNanos > config.schedulerDriftThreshold().toNanos()) {
      log.warn(
          "flush scheduler woke late drift_ms={} threshold_ms={} cause=scheduler"
              + " (the dispatcher thread was not run on time: CPU starvation, GC pause or a suspended host)",
          TimeUnit.NANOSECONDS.toMillis(driftNanos), config.schedulerDriftThreshold().toMillis());
    }
  }

  void dropped(long totalDropped) {
    dropWarning.occurred(totalDropped);
  }

  /** One attempt's end: its duration measured, slow ones and failures logged. */
  void attempt(Batch batch, int attempt, long tookNanos, TransportException error, long nowNanos) {
    metrics.writeDuration(tookNanos, error == null);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(tookNanos);
    if (tookNanos > config.slowWriteThreshold().toNanos()) {
      log.warn(
          "slow write duration_ms={} threshold_ms={} batch_size={} attempt={} result={} cause=server",
          tookMs, config.slowWriteThreshold().toMillis(), batch.size(), attempt,
          error == null ? "ok" : error.getMessage());
    }
    if (error != null && error.status() != 401 && error.status() != 403) {
      // A refused credential is reported once by the transport, not for every batch.
      log.info(
          "write attempt failed batch_size={} attempt={} duration_ms={} retryable={} may_have_been_stored={} error=\"{}\"",
          batch.size(), attempt, tookMs, error.retryable(), error.mayHaveBeenStored(), error.getMessage());
    } else if (log.isDebugEnabled()) {
      log.debug(
          "batch written trigger={} batch_size={} attempt={} write_duration_ms={} oldest_event_age_ms={}",
          batch.trigger.label(), batch.size(), attempt, tookMs,
          TimeUnit.NANOSECONDS.toMillis(nowNanos - batch.oldestEnqueuedAtNanos));
    }
  }

  void acknowledged(Batch batch, BatchAck ack, boolean resolved) {
    if (log.isDebugEnabled()) {
      log.debug("batch acknowledged batch_size={} created={} duplicates={} queued={} resolved={}",
          batch.size(), ack.created(), ack.duplicates(), ack.queued(), resolved);
    }
  }

  void resolving(Batch batch, int attempts, TransportException last) {
    log.warn("resolving an unknown outcome batch_size={} attempts={} resolution_timeout_ms={} last_error=\"{}\"",
        batch.size(), attempts, config.outcomeResolutionTimeout().toMillis(), last.getMessage());
  }

  void unknown(int count, int attempts, String detail) {
    log.error("audit events outcome unknown count={} attempts={} detail=\"{}\"", count, attempts, detail);
  }

  void lost(int count, AuditDeliveryException.Reason reason, int attempts, String detail) {
    log.error("audit events lost count={} reason={} attempts={} detail=\"{}\"", count, reason, attempts, detail);
  }

  /** A store resumed the epoch a crashed process left in its spool. */
  void resumed(Spool spool, Spool.Recovery recovery) {
    if (recovery.events().isEmpty() && recovery.declarations().isEmpty()) {
      return;
    }
    StringBuilder declared = new StringBuilder();
    recovery.declarations().forEach((reason, ranges) -> declared.append(' ').append(reason).append('=')
        .append(ranges.stream().mapToLong(r -> r[1] - r[0] + 1).sum()));
    log.info("auditflow: resumed producer {} epoch {} from its spool: {} events to send again;{}",
        spool.sequencer().producerId(), spool.epoch(), recovery.events().size(),
        declared.length() == 0 ? " nothing to declare" : " declaring" + declared);
  }

  /** The epoch-closed marker did not reach the server. */
  void epochNotClosed(Sequencer sequencer, String why) {
    log.warn("auditflow: producer {} epoch {} could not be closed on the server ({}); it will be reported"
        + " abandoned, and any number it did not receive as a gap", sequencer.producerId(), sequencer.epoch(), why);
  }

  void closed(CloseReport report) {
    log.info(
        "audit store closed enqueued={} acknowledged={} failed={} unknown={} dropped={} rejected_after_close={}"
            + " drained={}",
        report.enqueued(), report.acknowledged(), report.failed(), report.unknown(), report.dropped(),
        report.rejectedAfterClose(), report.completed());
  }

  /** {@code close()} has no report to return: what it could not deliver is said here, loudly. */
  void closedWithLosses(CloseReport report) {
    if (report.lost() > 0 || report.unknown() > 0 || !report.completed()) {
      log.error("audit store closed with losses {}", report);
    }
  }

  void sendersStuck(long graceMillis) {
    log.error("audit sender threads did not stop within {} ms after interruption", graceMillis);
  }
}
