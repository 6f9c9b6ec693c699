package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one batch and says how it ended: attempts with back-off until the delivery timeout
 * or the attempt limit — and, if an attempt may have stored the batch without saying so, re-sends
 * for up to the outcome-resolution timeout to find out. The server deduplicates on {@code
 * event_id}, so a re-send that is answered proves the batch stored, whichever attempt did it.
 *
 * <p>The resulting {@link Outcome} is exact about what is known: {@code REJECTED}, {@code
 * DELIVERY_TIMEOUT}, {@code RETRIES_EXHAUSTED} and {@code CLOSED_BEFORE_DELIVERY} only when no
 * attempt can have stored the batch, {@code OUTCOME_UNKNOWN} otherwise.
 */
final class BatchSender {
  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

  /** How a batch ended: acknowledged ({@code failure} null) or with a reason. */
  record Outcome(Reason failure, int attempts, TransportException last) {
    boolean acknowledged() {
      return failure == null;
    }
  }

  private final AuditStoreConfig config;
  private final BatchTransport transport;
  private final StoreMetrics metrics;

  BatchSender(AuditStoreConfig config, BatchTransport transport, StoreMetrics metrics) {
    this.config = config;
    this.transport = transport;
    this.metrics = metrics;
  }

  /** Never throws: an interruption (close abandoning delivery) is an outcome too. */
  Outcome deliver(Batch batch) {
    List<AuditEvent> events = batch.events();
    RetryPolicy retry = config.retryPolicy();
    long limit = batch.oldestEnqueuedAtNanos + config.deliveryTimeout().toNanos();
    boolean uncertain = false;
    boolean resolving = false;
    boolean outOfTime = false;
    TransportException last = null;
    int attempt = 0;
    try {
      while (true) {
        long now = System.nanoTime();
        outOfTime |= now - limit >= 0;
        if (outOfTime || (!resolving && attempt >= retry.maxAttempts())) {
          if (resolving || !uncertain) {
            Reason reason = resolving ? Reason.OUTCOME_UNKNOWN
                : outOfTime ? Reason.DELIVERY_TIMEOUT : Reason.RETRIES_EXHAUSTED;
            return new Outcome(reason, attempt, last);
          }
          resolving = true;
          outOfTime = false;
          limit = now + config.outcomeResolutionTimeout().toNanos();
          log.warn("resolving an unknown outcome batch_size={} attempts={} resolution_timeout_ms={} last_error=\"{}\"",
              batch.size(), attempt, config.outcomeResolutionTimeout().toMillis(), last.getMessage());
          continue;
        }
        attempt++;
        Duration timeout = Duration.ofNanos(Math.min(config.requestTimeout().toNanos(), limit - now));
        batch.mayBeStored = true;
        long start = System.nanoTime();
        try {
          BatchAck ack = transport.send(events, timeout);
          afterAttempt(batch, attempt, System.nanoTime() - start, null);
          if (log.isDebugEnabled()) {
            log.debug("batch acknowledged batch_size={} created={} duplicates={} queued={} resolved={}",
                batch.size(), ack.created(), ack.duplicates(), ack.queued(), resolving);
          }
          return new Outcome(null, attempt, null);
        } catch (TransportException e) {
          afterAttempt(batch, attempt, System.nanoTime() - start, e);
          last = e;
          uncertain |= e.mayHaveBeenStored();
          batch.mayBeStored = uncertain;
          if (!e.retryable()) {
            return new Outcome(uncertain ? Reason.OUTCOME_UNKNOWN : Reason.REJECTED, attempt, e);
          }
          long backoff = retry.backoffNanos(attempt);
          if (e.retryAfter().isPresent()) {
            backoff = Math.max(backoff, e.retryAfter().get().toNanos());
          }
          if (System.nanoTime() + backoff - limit >= 0) {
            outOfTime = true; // no point sleeping past the limit only to give up there
            continue;
          }
          TimeUnit.NANOSECONDS.sleep(backoff);
        } catch (RuntimeException e) {
          // A transport bug must not kill the sender thread; it may have sent the request.
          last = TransportException.noAnswer("transport threw " + e, e);
          afterAttempt(batch, attempt, System.nanoTime() - start, last);
          return new Outcome(Reason.OUTCOME_UNKNOWN, attempt, last);
        }
      }
    } catch (InterruptedException e) {
      return new Outcome(batch.mayBeStored ? Reason.OUTCOME_UNKNOWN : Reason.CLOSED_BEFORE_DELIVERY, attempt, last);
    }
  }

  private void afterAttempt(Batch batch, int attempt, long tookNanos, TransportException error) {
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
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - batch.oldestEnqueuedAtNanos));
    }
  }
}
