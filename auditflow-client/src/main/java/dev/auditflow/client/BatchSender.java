package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.List;

/**
 * Delivers one batch and says how it ended: attempts with back-off until the delivery timeout
 * or the attempt limit — and, if an attempt may have stored the batch without saying so, re-sends
 * for up to the outcome-resolution timeout to find out. The server deduplicates on {@code
 * event_id}, so a re-send that is answered proves the batch stored, whichever attempt did it.
 *
 * <p>The resulting {@link Outcome} is exact about what is known: {@code REJECTED}, {@code
 * DELIVERY_TIMEOUT}, {@code RETRIES_EXHAUSTED} and {@code CLOSED_BEFORE_DELIVERY} only when no
 * attempt can have stored the batch, {@code OUTCOME_UNKNOWN} otherwise.
 *
 * <p>Each attempt runs on a sender; the back-off between attempts is a timer on the runtime, not
 * a sleeping thread — a batch waiting to retry holds its in-flight slot but no thread, and on fake
 * time the whole retry schedule runs without waiting.
 */
final class BatchSender {
  /** How a batch ended: acknowledged ({@code failure} null) or with a reason. */
  record Outcome(Reason failure, int attempts, TransportException last) {
    boolean acknowledged() {
      return failure == null;
    }
  }

  /** Told once per batch how it ended. */
  interface Completion {
    void completed(Batch batch, Outcome outcome);
  }

  private final AuditStoreConfig config;
  private final BatchTransport transport;
  private final StoreRuntime runtime;
  private final StoreDiagnostics diagnostics;
  private final Completion completion;

  BatchSender(AuditStoreConfig config, BatchTransport transport, StoreRuntime runtime, StoreDiagnostics diagnostics,
      Completion completion) {
    this.config = config;
    this.transport = transport;
    this.runtime = runtime;
    this.diagnostics = diagnostics;
    this.completion = completion;
  }

  void deliver(Batch batch) {
    Delivery delivery = new Delivery(batch);
    runtime.send(delivery::attempt);
  }

  /** One batch's way through its attempts. Touched by one thread at a time (attempts never overlap). */
  private final class Delivery {
    final Batch batch;
    final List<AuditEvent> events;
    long limit;
    boolean uncertain;
    boolean resolving;
    boolean outOfTime;
    TransportException last;
    int attempt;

    Delivery(Batch batch) {
      this.batch = batch;
      this.events = batch.events();
      this.limit = batch.oldestEnqueuedAtNanos + config.deliveryTimeout().toNanos();
    }

    /** Runs attempts until one succeeds, one is final, or a back-off is due; never throws. */
    void attempt() {
      RetryPolicy retry = config.retryPolicy();
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          done(batch.mayBeStored ? Reason.OUTCOME_UNKNOWN : Reason.CLOSED_BEFORE_DELIVERY);
          return;
        }
        long now = runtime.nanoTime();
        outOfTime |= now - limit >= 0;
        if (outOfTime || (!resolving && attempt >= retry.maxAttempts())) {
          if (resolving || !uncertain) {
            done(resolving ? Reason.OUTCOME_UNKNOWN : outOfTime ? Reason.DELIVERY_TIMEOUT : Reason.RETRIES_EXHAUSTED);
            return;
          }
          resolving = true;
          outOfTime = false;
          limit = now + config.outcomeResolutionTimeout().toNanos();
          diagnostics.resolving(batch, attempt, last);
          continue;
        }
        attempt++;
        Duration timeout = Duration.ofNanos(Math.min(config.requestTimeout().toNanos(), limit - now));
        batch.mayBeStored = true;
        long start = runtime.nanoTime();
        try {
          BatchAck ack = batch.numbering == null ? transport.send(events, timeout)
              : transport.send(events, batch.issued, timeout);
          diagnostics.attempt(batch, attempt, runtime.nanoTime() - start, null, runtime.nanoTime());
          diagnostics.acknowledged(batch, ack, resolving);
          completion.completed(batch, new Outcome(null, attempt, null));
          return;
        } catch (TransportException e) {
          diagnostics.attempt(batch, attempt, runtime.nanoTime() - start, e, runtime.nanoTime());
          last = e;
          uncertain |= e.mayHaveBeenStored();
          batch.mayBeStored = uncertain;
          if (!e.retryable()) {
            done(uncertain ? Reason.OUTCOME_UNKNOWN : Reason.REJECTED);
            return;
          }
          long backoff = retry.backoffNanos(attempt);
          if (e.retryAfter().isPresent()) {
            backoff = Math.max(backoff, e.retryAfter().get().toNanos());
          }
          if (runtime.nanoTime() + backoff - limit >= 0) {
            outOfTime = true; // no point waiting past the limit only to give up there
            continue;
          }
          // The next attempt goes back to a sender when the back-off is over; no thread waits for it.
          runtime.schedule(() -> runtime.send(this::attempt), backoff);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          done(batch.mayBeStored ? Reason.OUTCOME_UNKNOWN : Reason.CLOSED_BEFORE_DELIVERY);
          return;
        } catch (RuntimeException e) {
          // A transport bug must not kill the sender thread; it may have sent the request.
          last = TransportException.noAnswer("transport threw " + e, e);
          diagnostics.attempt(batch, attempt, runtime.nanoTime() - start, last, runtime.nanoTime());
          done(Reason.OUTCOME_UNKNOWN);
          return;
        }
      }
    }

    private void done(Reason reason) {
      completion.completed(batch, new Outcome(reason, attempt, last));
    }
  }
}
