package dev.auditflow.client;

/**
 * {@link AuditStore#store} was called after {@link AuditStore#close()} began. The event was not
 * accepted; the store counts these calls in {@link AuditStoreStats#rejectedAfterClose()}.
 */
public final class AuditStoreClosedException extends IllegalStateException {
  public AuditStoreClosedException(String message) {
    super(message);
  }
}
