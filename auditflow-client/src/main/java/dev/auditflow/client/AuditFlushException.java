package dev.auditflow.client;

/**
 * {@link AuditStore#flush} could not confirm every event it covered: some failed, or were still
 * unacknowledged when the timeout ran out. Counts refer to the events outstanding when flush was
 * called.
 */
public final class AuditFlushException extends Exception {
  private final long covered;
  private final long failed;
  private final long unacknowledged;

  public AuditFlushException(long covered, long failed, long unacknowledged) {
    super(
        "flush covered " + covered + " events: " + failed + " failed, " + unacknowledged
            + " not acknowledged before the timeout");
    this.covered = covered;
    this.failed = failed;
    this.unacknowledged = unacknowledged;
  }

  /** Events that were outstanding when flush was called. */
  public long covered() {
    return covered;
  }

  /** Of those, events whose delivery failed (their handles say why). */
  public long failed() {
    return failed;
  }

  /** Of those, events still in the buffer or in flight when the timeout ran out. */
  public long unacknowledged() {
    return unacknowledged;
  }
}
