package dev.auditflow.client;

/**
 * Measurements the store takes as it works. Counters and gauges are read from {@link
 * AuditStoreStats} instead, so there is one source of truth for them.
 */
interface StoreMetrics {
  StoreMetrics NONE =
      new StoreMetrics() {
        @Override
        public void batchSent(int size) {}

        @Override
        public void writeDuration(long nanos, boolean success) {}

        @Override
        public void ackLatency(long nanos) {}

        @Override
        public void schedulerDrift(long nanos) {}
      };

  /** A batch left the buffer for a request. */
  void batchSent(int size);

  /** One attempt's duration. */
  void writeDuration(long nanos, boolean success);

  /** One event's time from enqueue to acknowledgement. */
  void ackLatency(long nanos);

  /** How late the flush timer woke past its own deadline. */
  void schedulerDrift(long nanos);
}
