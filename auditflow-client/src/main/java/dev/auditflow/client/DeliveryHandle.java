package dev.auditflow.client;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fate of one stored event: it completes normally when the server has committed the event
 * (or durably queued it), exceptionally with an {@link AuditDeliveryException} when the event is
 * lost. Read-only for the application; only the store completes it.
 */
public final class DeliveryHandle {
  private final UUID eventId;
  private final CompletableFuture<Void> future = new CompletableFuture<>();

  DeliveryHandle(UUID eventId) {
    this.eventId = eventId;
  }

  static DeliveryHandle failed(UUID eventId, AuditDeliveryException reason) {
    DeliveryHandle handle = new DeliveryHandle(eventId);
    handle.fail(reason);
    return handle;
  }

  public UUID eventId() {
    return eventId;
  }

  public boolean isDone() {
    return future.isDone();
  }

  /** True once the server has acknowledged the event. */
  public boolean isAcknowledged() {
    return future.isDone() && !future.isCompletedExceptionally();
  }

  /** Why the event was lost, once it is. */
  public Optional<AuditDeliveryException> failure() {
    if (!future.isCompletedExceptionally()) {
      return Optional.empty();
    }
    try {
      future.join();
      return Optional.empty();
    } catch (CompletionException e) {
      return Optional.of((AuditDeliveryException) e.getCause());
    }
  }

  /**
   * Waits until the event is acknowledged.
   *
   * @throws AuditDeliveryException if it was lost
   * @throws TimeoutException if neither happened in time (delivery may still succeed later)
   */
  public void await(Duration timeout) throws InterruptedException, TimeoutException {
    try {
      future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw (AuditDeliveryException) e.getCause();
    }
  }

  /** A read-only stage for composing: completes as this handle does. */
  public CompletionStage<Void> completion() {
    return future.minimalCompletionStage();
  }

  CompletableFuture<Void> future() {
    return future;
  }

  void acknowledge() {
    future.complete(null);
  }

  void fail(AuditDeliveryException reason) {
    future.completeExceptionally(reason);
  }

  @Override
  public String toString() {
    String state = !future.isDone() ? "pending" : isAcknowledged() ? "acknowledged" : "failed";
    return "DeliveryHandle{" + eventId + ", " + state + "}";
  }
}
