package dev.auditflow.server.trail;

/**
 * A write would have broken a hash chain's invariant (a position taken without its row being
 * stored). The transaction is rolled back; this is a defect to look at, not an outage, so it is
 * answered 500 and logged at ERROR — never queued or answered 503 as if the database were down.
 */
public final class ChainInvariantException extends RuntimeException {
  public ChainInvariantException(String message) {
    super(message);
  }
}
