package dev.auditflow.client;

/** Why a batch left the buffer; logged with every send. */
enum SendTrigger {
  /** The buffer held a full batch. */
  SIZE,
  /** The oldest buffered event reached the flush interval. */
  TIME,
  /** {@link AuditStore#flush} asked for everything enqueued before it. */
  FLUSH,
  /** {@link AuditStore#close} is draining. */
  CLOSE;

  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
